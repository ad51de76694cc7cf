//! Every subcommand and output format of the real binary, as data: each `cmd/*.toml` holds the
//! arguments and the exit status, and the `.stdout` / `.stderr` beside it what the binary prints.
//! Cases run from the repository root (`fs.cwd`) on corpora-samples, or, for `split`, in a scratch
//! copy of their `.in/` folder.
//!
//! After an intended change of output: `TRYCMD=overwrite cargo test -p cargo-vazhi --test cli_cases`,
//! then read the diff.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        // The human reporter wraps to $COLUMNS; pin it so the cases do not depend on the caller's shell.
        .env("COLUMNS", "100")
        .case("tests/cmd/*.toml");
}
