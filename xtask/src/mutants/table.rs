//! The verdict table of `cargo xtask mutants`: a row per control, a
//! column per place the controls ran, each cell what happened there.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::UNMUTATED;

/// One cell of the table.
#[derive(Clone, Debug)]
pub enum Cell {
    /// Failed these cases (the control is caught; the reference is broken).
    Failed(Vec<String>),
    /// Passed every trial it ran.
    Passed(usize),
    /// The suite does not register this control.
    Absent,
    /// Not run: caught already.
    Skipped,
    /// Not run: the reference failed this column, so it proves nothing.
    Void,
}

impl Cell {
    /// What the table shows; `reference` for the row of [`UNMUTATED`],
    /// whose failure is no catch.
    pub fn text(&self, reference: bool) -> String {
        match self {
            Cell::Failed(cases) if reference => format!("FAILED {}", cases.join(", ")),
            Cell::Failed(cases) => format!("caught by {}", cases.join(", ")),
            Cell::Passed(n) if reference => format!("passed ({n})"),
            Cell::Passed(n) => format!("survived ({n} passed)"),
            Cell::Absent => "–".to_string(),
            Cell::Skipped => "not run (caught)".to_string(),
            Cell::Void => "not run (reference failed)".to_string(),
        }
    }
}

/// A column: where the controls ran.
pub struct Column {
    /// Which suite on which target and runner, or loom.
    pub title: String,
    /// The cell of each control seen there, by name.
    pub cells: BTreeMap<String, Cell>,
}

/// Whether any column caught `control`.
pub fn caught(columns: &[Column], control: &str) -> bool {
    columns
        .iter()
        .any(|col| matches!(col.cells.get(control), Some(Cell::Failed(_))))
}

/// The Markdown table: a row per control (then the reference), a column per
/// place they ran, and the verdict.
pub fn table(controls: &[String], columns: &[Column]) -> String {
    let mut s = String::from("| control |");
    for col in columns {
        let _ = write!(s, " {} |", col.title);
    }
    s.push_str(" verdict |\n| --- |");
    s.push_str(&" --- |".repeat(columns.len() + 1));
    s.push('\n');
    let rows = controls
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(UNMUTATED));
    for control in rows {
        let reference = control == UNMUTATED;
        let _ = write!(s, "| `{control}` |");
        for col in columns {
            let text = col
                .cells
                .get(control)
                .unwrap_or(&Cell::Absent)
                .text(reference);
            let _ = write!(s, " {text} |");
        }
        let failed = caught(columns, control);
        let verdict = match (reference, failed) {
            (true, false) => "passes (as it must)",
            (true, true) => "**FAILED** (its columns are void)",
            (false, true) => "caught",
            (false, false) => "**SURVIVED**",
        };
        let _ = writeln!(s, " {verdict} |");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(title: &str, cells: &[(&str, Cell)]) -> Column {
        Column {
            title: title.into(),
            cells: cells
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    #[test]
    fn table_gives_each_control_a_verdict() {
        let columns = [
            column(
                "conformance on amd64 (native)",
                &[
                    ("busted", Cell::Failed(vec!["try_lock".into()])),
                    ("relaxed", Cell::Passed(13)),
                    (UNMUTATED, Cell::Passed(13)),
                ],
            ),
            column(
                "loom",
                &[("relaxed", Cell::Failed(vec!["relaxed_is_caught".into()]))],
            ),
        ];
        let controls = vec![
            "busted".to_string(),
            "relaxed".to_string(),
            "lazy".to_string(),
        ];
        let t = table(&controls, &columns);
        assert!(
            t.contains("| `busted` | caught by try_lock | – | caught |"),
            "{t}"
        );
        assert!(
            t.contains(
                "| `relaxed` | survived (13 passed) | caught by relaxed_is_caught | caught |"
            ),
            "{t}"
        );
        assert!(t.contains("| `lazy` | – | – | **SURVIVED** |"), "{t}");
        assert!(
            t.contains("| `unmutated` | passed (13) | – | passes (as it must) |"),
            "{t}"
        );
    }
}
