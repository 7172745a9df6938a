//! The profile in pprof's format: the messages of pprof's `profile.proto`
//! (package `perftools.profiles`) that a contention profile uses, with that
//! schema's field numbers, encoded by prost and gzip'd as pprof expects.
//! The sample types are Go's mutex profile's: contentions/count and
//! delay/nanoseconds, so `go tool pprof` reads it as it reads Go's.

use super::report::Profile;
use super::symbols::{Frame, calls};
use flate2::Compression;
use flate2::write::GzEncoder;
use prost::Message;
use std::collections::HashMap;
use std::io::{self, Write};

/// `perftools.profiles.Profile`.
#[derive(Clone, PartialEq, Message)]
struct PprofProfile {
    #[prost(message, repeated, tag = "1")]
    sample_type: Vec<ValueType>,
    #[prost(message, repeated, tag = "2")]
    sample: Vec<Sample>,
    #[prost(message, repeated, tag = "3")]
    mapping: Vec<Mapping>,
    #[prost(message, repeated, tag = "4")]
    location: Vec<Location>,
    #[prost(message, repeated, tag = "5")]
    function: Vec<Function>,
    #[prost(string, repeated, tag = "6")]
    string_table: Vec<String>,
    #[prost(int64, tag = "9")]
    time_nanos: i64,
    #[prost(message, optional, tag = "11")]
    period_type: Option<ValueType>,
    #[prost(int64, tag = "12")]
    period: i64,
}

/// `perftools.profiles.ValueType`: indices into the string table.
#[derive(Clone, PartialEq, Message)]
struct ValueType {
    #[prost(int64, tag = "1")]
    r#type: i64,
    #[prost(int64, tag = "2")]
    unit: i64,
}

/// `perftools.profiles.Sample`: a stack (leaf first) and its values.
#[derive(Clone, PartialEq, Message)]
struct Sample {
    #[prost(uint64, repeated, tag = "1")]
    location_id: Vec<u64>,
    #[prost(int64, repeated, tag = "2")]
    value: Vec<i64>,
}

/// `perftools.profiles.Mapping`: the program, already symbolised, so
/// pprof looks for no binary.
#[derive(Clone, PartialEq, Message)]
struct Mapping {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(uint64, tag = "2")]
    memory_start: u64,
    #[prost(uint64, tag = "3")]
    memory_limit: u64,
    #[prost(int64, tag = "5")]
    filename: i64,
    #[prost(bool, tag = "7")]
    has_functions: bool,
    #[prost(bool, tag = "8")]
    has_filenames: bool,
    #[prost(bool, tag = "9")]
    has_line_numbers: bool,
    #[prost(bool, tag = "10")]
    has_inline_frames: bool,
}

/// `perftools.profiles.Location`: one return address and its inlined calls.
#[derive(Clone, PartialEq, Message)]
struct Location {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(uint64, tag = "2")]
    mapping_id: u64,
    #[prost(uint64, tag = "3")]
    address: u64,
    #[prost(message, repeated, tag = "4")]
    line: Vec<Line>,
}

/// `perftools.profiles.Line`: innermost inlined call first.
#[derive(Clone, PartialEq, Message)]
struct Line {
    #[prost(uint64, tag = "1")]
    function_id: u64,
    #[prost(int64, tag = "2")]
    line: i64,
}

/// `perftools.profiles.Function`.
#[derive(Clone, PartialEq, Message)]
struct Function {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(int64, tag = "2")]
    name: i64,
    #[prost(int64, tag = "3")]
    system_name: i64,
    #[prost(int64, tag = "4")]
    filename: i64,
}

/// The string table, index 0 the empty string as the format requires.
struct Strings {
    table: Vec<String>,
    index: HashMap<String, i64>,
}

impl Strings {
    /// A table whose entry 0 is `""`, as pprof requires.
    fn new() -> Self {
        Strings {
            table: vec![String::new()],
            index: HashMap::from([(String::new(), 0)]),
        }
    }

    fn id(&mut self, s: &str) -> i64 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.table.len() as i64;
        self.table.push(s.to_owned());
        self.index.insert(s.to_owned(), i);
        i
    }
}

/// Builds the message: one location per distinct return address, one
/// function per distinct (name, file).
fn encode(profile: &Profile) -> PprofProfile {
    let mut strings = Strings::new();
    let mut locations: HashMap<usize, u64> = HashMap::new();
    let mut functions: HashMap<(String, String), u64> = HashMap::new();
    let mut out = PprofProfile {
        sample_type: vec![
            ValueType {
                r#type: strings.id("contentions"),
                unit: strings.id("count"),
            },
            ValueType {
                r#type: strings.id("delay"),
                unit: strings.id("nanoseconds"),
            },
        ],
        period_type: Some(ValueType {
            r#type: strings.id("contentions"),
            unit: strings.id("count"),
        }),
        period: i64::from(profile.rate().max(1)),
        time_nanos: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i64),
        ..PprofProfile::default()
    };
    let program =
        std::env::current_exe().map_or_else(|_| String::new(), |p| p.display().to_string());
    out.mapping.push(Mapping {
        id: 1,
        memory_start: 0,
        memory_limit: u64::MAX,
        filename: strings.id(&program),
        has_functions: true,
        has_filenames: true,
        has_line_numbers: true,
        has_inline_frames: true,
    });
    for site in profile.sites() {
        let mut sample = Sample {
            location_id: Vec::new(),
            value: vec![site.contentions() as i64, site.delay().as_nanos() as i64],
        };
        for (ip, all) in site.unlock_calls() {
            let next_id = locations.len() as u64 + 1;
            let id = *locations.entry(ip).or_insert_with(|| {
                let mut lines = Vec::new();
                for Frame {
                    function: name,
                    file,
                    line,
                } in calls(all)
                {
                    let next_fn = functions.len() as u64 + 1;
                    let function_id = *functions
                        .entry((name.clone(), file.clone()))
                        .or_insert_with(|| {
                            let name_id = strings.id(name);
                            out.function.push(Function {
                                id: next_fn,
                                name: name_id,
                                system_name: name_id,
                                filename: strings.id(file),
                            });
                            next_fn
                        });
                    lines.push(Line {
                        function_id,
                        line: *line,
                    });
                }
                out.location.push(Location {
                    id: next_id,
                    mapping_id: 1,
                    address: ip as u64,
                    line: lines,
                });
                next_id
            });
            sample.location_id.push(id);
        }
        out.sample.push(sample);
    }
    out.string_table = strings.table;
    out
}

impl Profile {
    /// Writes the profile as gzip'd pprof protobuf, for `go tool pprof`:
    /// sample types contentions/count and delay/nanoseconds (values as
    /// sampled, unscaled; the period is the rate), each stack leaf first.
    pub fn write_pprof(&self, w: impl Write) -> io::Result<()> {
        let mut gz = GzEncoder::new(w, Compression::default());
        gz.write_all(&encode(self).encode_to_vec())?;
        gz.finish()?.flush()
    }
}
