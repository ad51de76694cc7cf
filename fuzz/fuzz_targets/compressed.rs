#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vazhi_fuzz::bodies::compressed(data));
