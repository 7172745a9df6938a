//! Return addresses to function names, files and lines: only when a
//! report is printed or written, never on a lock path.

/// One call at a return address.
#[derive(Clone, Debug)]
pub(super) struct Frame {
    pub(super) function: String,
    pub(super) file: String,
    pub(super) line: i64,
}

/// The calls at `ip`, innermost inlined call first (pprof's order too).
pub(super) fn resolve(ip: usize) -> Vec<Frame> {
    let mut frames = Vec::new();
    // A return address points after its call: look up the call itself.
    backtrace::resolve(ip.saturating_sub(1) as *mut core::ffi::c_void, |symbol| {
        frames.push(Frame {
            function: symbol
                .name()
                .map_or_else(|| format!("{ip:#x}"), |n| format!("{n:#}")),
            file: symbol
                .filename()
                .map_or_else(String::new, |f| f.display().to_string()),
            line: i64::from(symbol.lineno().unwrap_or(0)),
        });
    });
    if frames.is_empty() {
        frames.push(Frame {
            function: format!("{ip:#x}"),
            file: String::new(),
            line: 0,
        });
    }
    frames
}

/// Of `all`, the calls at one address, those that are not the profile's
/// own (the charge inlined into an unlock), unless that leaves none.
pub(super) fn calls(all: &[Frame]) -> impl Iterator<Item = &Frame> {
    let only_machinery = all.iter().all(|f| is_machinery(&f.function));
    all.iter()
        .filter(move |f| only_machinery || !is_machinery(&f.function))
}

/// The unwinder's and the profile's own frames, above the unlock.
pub(super) fn is_machinery(name: &str) -> bool {
    ["backtrace::", "lockyard::profile::", "lockyard::blame::"]
        .iter()
        .any(|p| name.starts_with(p))
}
