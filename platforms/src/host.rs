//! The CPU facts of the machine a process runs on, read one way for both
//! places that print them: the `cpu:` and `cores:` lines of the benchmark
//! header (lockyard-conformance's `throughput` bench) and the host of the
//! xtask's report.json.

use sysinfo::{CpuRefreshKind, RefreshKind, System};

/// What the CPUs are, and how many this process may use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cpu {
    /// The model name the OS gives (sysinfo reads `/proc/cpuinfo` on Linux,
    /// sysctl on macOS and the BSDs, the registry on Windows), or
    /// `unknown`.
    pub model: String,
    /// The CPUs this process may run on at once: what
    /// [`std::thread::available_parallelism`] says, which on Linux honours
    /// the affinity mask and a cgroup CPU quota (as Go's GOMAXPROCS default
    /// does); the machine's logical CPUs when it cannot say; at least 1.
    pub cores: usize,
}

impl Cpu {
    /// Reads the facts of this machine.
    pub fn detect() -> Cpu {
        let refresh = RefreshKind::nothing().with_cpu(CpuRefreshKind::nothing());
        let sys = System::new_with_specifics(refresh).ok();
        let cpus = sys.as_ref().map_or(&[][..], System::cpus);
        let model = cpus
            .first()
            .map(|c| c.brand().trim())
            .filter(|b| !b.is_empty())
            .unwrap_or("unknown")
            .to_string();
        let cores = std::thread::available_parallelism().map_or(cpus.len().max(1), |n| n.get());
        Cpu { model, cores }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cores_are_what_the_process_may_use() {
        let cpu = Cpu::detect();
        assert!(!cpu.model.is_empty());
        let usable = std::thread::available_parallelism().map_or(cpu.cores, |n| n.get());
        assert_eq!(cpu.cores, usable);
        assert!(cpu.cores >= 1);
    }
}
