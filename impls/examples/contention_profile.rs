//! Writes a contention profile of a contended lock, for `go tool pprof`:
//! `cargo run -p lockyard --features profile --example contention_profile -- OUT.pb.gz`
//! (CI opens the file with `go tool pprof -raw` and `-top`).

use lockyard::profile;
use lockyard::spinbit::Mutex;
use std::time::Duration;

/// Holds the shared lock long enough that the other threads sleep on it.
/// Each critical section returns what it read, so its unlock (the guard's
/// drop) is not its last call: an optimised build would otherwise make
/// that drop a tail call, and this function's frame would be gone from the
/// stack the profile records (its caller would take the charge).
#[inline(never)]
fn slow_critical_section(shared: &Mutex<u64>) -> u64 {
    let mut value = shared.lock();
    std::thread::sleep(Duration::from_micros(50));
    *value += 1;
    let read = *value;
    drop(value);
    std::hint::black_box(read)
}

/// Holds it briefly.
#[inline(never)]
fn fast_critical_section(shared: &Mutex<u64>) -> u64 {
    let mut value = shared.lock();
    *value += 1;
    let read = *value;
    drop(value);
    std::hint::black_box(read)
}

fn main() -> std::io::Result<()> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "contention.pb.gz".into());
    let shared = Mutex::new(0u64);
    profile::set_rate(1);
    std::thread::scope(|s| {
        for t in 0..4 {
            let shared = &shared;
            s.spawn(move || {
                for i in 0..400 {
                    if (i + t) % 4 == 0 {
                        slow_critical_section(shared);
                    } else {
                        fast_critical_section(shared);
                    }
                }
            });
        }
    });
    profile::set_rate(0);
    let report = profile::snapshot();
    print!("{report}");

    report.write_pprof(std::fs::File::create(&out)?)?;
    eprintln!("wrote {out}");
    Ok(())
}
