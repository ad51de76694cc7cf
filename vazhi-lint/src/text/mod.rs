//! Text analyses behind the chat-format rules: degenerate repetition, leaked template markers and
//! reasoning tags. Pure functions over `&str` returning byte spans, so the rules can underline them.

pub mod markers;
pub mod repetition;
