#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| caspian_fuzz::permissions::check(data));
