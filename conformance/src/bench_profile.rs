//! The bench binary's profiling run (`--profile-rate N --profile-dir DIR`,
//! what `cargo xtask bench --profile-rate N` asks for): each backend runs
//! its benchmarks alone, once, with lockyard's contention profile sampling
//! 1 contended unlock in N, and its profile is saved as
//! `DIR/<backend>.pb.gz` (for `go tool pprof`) and `DIR/<backend>.txt`.
//! One backend at a time, not interleaved: the profile is process-wide.
//! Only in a build with lockyard's `profile` feature
//! (`lockyard-conformance/profile`).

use std::path::PathBuf;

/// Where and how often to sample.
#[derive(Clone, Debug)]
pub(crate) struct ProfileRun {
    /// `--profile-rate`: 1 contended unlock in this many.
    pub(crate) rate: u32,
    /// `--profile-dir`: where the profiles go.
    pub(crate) dir: PathBuf,
}

/// Whether this binary can profile.
pub(crate) const AVAILABLE: bool = cfg!(feature = "profile");

/// Starts sampling for one backend's runs.
pub(crate) fn start(run: &ProfileRun) {
    #[cfg(feature = "profile")]
    {
        lockyard::profile::reset();
        lockyard::profile::set_rate(run.rate);
    }
    let _ = run;
}

/// Stops sampling and saves what `backend`'s runs charged; says where on
/// stderr. A backend without lockyard locks (a peer) charges nothing and
/// gets no file.
pub(crate) fn finish(run: &ProfileRun, backend: &str) -> std::io::Result<()> {
    #[cfg(feature = "profile")]
    {
        lockyard::profile::set_rate(0);
        let profile = lockyard::profile::snapshot();
        if profile.contentions() == 0 {
            eprintln!("profile: {backend}: no contended unlock of a lockyard lock sampled");
            return Ok(());
        }
        std::fs::create_dir_all(&run.dir)?;
        let pprof = file(&run.dir, backend, "pb.gz");
        profile.write_pprof(std::io::BufWriter::new(std::fs::File::create(&pprof)?))?;
        let text = file(&run.dir, backend, "txt");
        std::fs::write(&text, profile.to_string())?;
        eprintln!(
            "profile: {backend}: {} contentions, {:?} charged: {}",
            profile.contentions(),
            profile.delay(),
            pprof.display()
        );
    }
    let _ = (run, backend);
    Ok(())
}

#[cfg(feature = "profile")]
fn file(dir: &std::path::Path, backend: &str, extension: &str) -> PathBuf {
    dir.join(format!("{backend}.{extension}"))
}
