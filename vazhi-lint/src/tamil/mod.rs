//! Tamil text analyses: the Thirukkural reference and quote matcher, malformed Unicode sequences,
//! mojibake and pre-Unicode font encodings. Pure functions over `&str` returning byte spans.

pub mod kural;
pub mod legacy;
pub mod mojibake;
pub mod phoneme;
pub mod unicode;
pub mod variant;
