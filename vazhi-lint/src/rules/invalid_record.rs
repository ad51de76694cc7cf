use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a record vazhi cannot read: a line that is not valid UTF-8, not valid JSON, not a JSON
    /// object, or an object with no text field the reader understands (see `[fields]`); a Parquet
    /// file with no text column; a file that cannot be opened or decompressed.
    ///
    /// The finding names the file and the line (JSONL, 1-based) or row (Parquet, 0-based), and
    /// linting continues with the next record: one bad line never hides the rest of the corpus.
    ///
    /// ## Why is this bad?
    /// Training loaders differ in what they do with an unreadable line: some stop, some skip it
    /// silently, some read a truncated record as text. Each is a surprise found hours into a run.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "வணக்கம்"}, {"role": "assistant", "content": "வணக்கம்!"}],}
    /// ```
    /// The trailing comma makes the line invalid JSON:
    /// `VZ001 invalid-record: not valid JSON: trailing comma (column 98)`.
    ///
    /// ## Options
    /// None. Which keys hold text is set under `[fields]`.
    pub static INVALID_RECORD = {
        code: "VZ001",
        name: "invalid-record",
        severity: Error,
        scope: Reader,
        summary: "A record that cannot be read: bad UTF-8, bad JSON, not an object, or no known text field",
    };
}
