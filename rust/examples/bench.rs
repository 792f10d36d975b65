//! The Rust side of make bench: `validate(bytes)` end to end (strict decoding, schema,
//! code-only rules, unknown-field lint) on one document, the best of ROUNDS rounds of
//! ITERATIONS calls. Prints {"rust_crate": microseconds per document} as JSON.
//!
//! cargo run --release --example bench -- FILE ITERATIONS ROUNDS

use std::time::Instant;

use guestkit_job_spec::{validate, Options};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, iterations, rounds] = args.as_slice() else {
        panic!("usage: bench FILE ITERATIONS ROUNDS");
    };
    let data = std::fs::read(file).expect("the document");
    let (iterations, rounds): (u32, u32) = (iterations.parse().expect("ITERATIONS"), rounds.parse().expect("ROUNDS"));
    let options = Options::default();
    assert!(validate(&data, &options).is_ok(), "a known document type");
    let mut best = f64::INFINITY;
    for _ in 0..rounds {
        let started = Instant::now();
        for _ in 0..iterations {
            std::hint::black_box(
                validate(std::hint::black_box(&data), &options)
                    .map(|report| report.valid)
                    .ok(),
            );
        }
        best = best.min(started.elapsed().as_secs_f64() * 1e6 / f64::from(iterations));
    }
    println!("{{\"rust_crate\": {best}}}");
}
