use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a record vazhi cannot read: a line that is not valid UTF-8, not valid JSON, not a JSON
    /// object, or an object with no text field the reader understands (see `[fields]`); a table
    /// (Parquet, Arrow, CSV) with no text column; a JSON document whose object holds several lists
    /// of records and nothing saying which; a file that cannot be opened or decompressed.
    ///
    /// The finding names the file and the line (JSON, 1-based; for a pretty-printed record, the line
    /// of the problem) or row (tables, 0-based), and linting continues with the next record: one bad
    /// line never hides the rest of the corpus.
    ///
    /// One cause is reported once. When more than three records of a file fail the same way (no
    /// text field vazhi knows, not an object, the same layout problem), or every record does, the
    /// file gets one finding with the count, the first lines, the keys the records have, and the
    /// `[fields]` lines that would make them readable. Broken JSON is grouped only when it is most
    /// of the file; otherwise each broken line is reported where it is. JSON files that hold no
    /// records at all (metadata, manifests, a tokenizer's or a saved dataset's configuration) are
    /// not findings: the summary names them.
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
