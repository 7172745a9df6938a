//! An SVG line chart of ns/op against threads, one line per backend, drawn
//! by hand (a few dozen elements need no plotting library), on a linear or
//! a logarithmic y axis.

use std::fmt::Write as _;

/// `--chart-scale`: how the y axis is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// Logarithmic when the plotted values span more than 10× (largest
    /// over smallest: `LOG_SPAN`), else linear.
    #[default]
    Auto,
    /// Linear from 0.
    Linear,
    /// Logarithmic (linear after all if a value is not positive).
    Log,
}

/// The y axis a chart gets: [`Scale`] decided for its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// Linear from 0.
    Linear,
    /// Logarithmic.
    Log,
}

impl Axis {
    /// How the axis is called in messages.
    pub fn name(self) -> &'static str {
        match self {
            Axis::Linear => "linear",
            Axis::Log => "log",
        }
    }
}

/// The span of the values (largest over smallest) past which
/// [`Scale::Auto`] draws a log axis: beyond it the small values of a linear
/// axis sit flat at its foot.
pub const LOG_SPAN: f64 = 10.0;

/// The largest value of `series` over its smallest; `None` without a
/// positive value to divide by.
pub fn span(series: &[Series]) -> Option<f64> {
    let ys = || series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let min = ys().fold(f64::INFINITY, f64::min);
    let max = ys().fold(f64::NEG_INFINITY, f64::max);
    (min > 0.0 && min.is_finite()).then(|| max / min)
}

/// The axis `scale` gives `series`: a log axis needs every value positive.
pub fn axis(scale: Scale, series: &[Series]) -> Axis {
    match (scale, span(series)) {
        (Scale::Log, Some(_)) => Axis::Log,
        (Scale::Auto, Some(s)) if s > LOG_SPAN => Axis::Log,
        _ => Axis::Linear,
    }
}

/// One line of the chart: a backend's (threads, ns/op) points.
pub struct Series {
    /// The legend label.
    pub name: String,
    /// Points, by ascending threads.
    pub points: Vec<(f64, f64)>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 420.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 170.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 50.0;
/// Colour-blind-safe palette (Okabe–Ito), then repeated.
const COLOURS: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
];

/// The chart as an SVG document, its y axis `axis` (see [`axis`]).
pub fn line_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    axis: Axis,
) -> String {
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let x_max = xs.fold(1.0, f64::max);
    let y = YAxis::new(axis, series);
    let y_label = match axis {
        Axis::Linear => y_label.to_string(),
        Axis::Log => format!("{y_label}, log scale"),
    };
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let px = |x: f64| LEFT + x / x_max * plot_w;
    let py = |v: f64| TOP + plot_h - y.fraction(v) * plot_h;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="22" font-size="15" text-anchor="middle">{}</text>"#,
        LEFT + plot_w / 2.0,
        escape(title)
    );
    for &tick in &y.ticks {
        let (right, at) = (LEFT + plot_w, py(tick));
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" x2="{right}" y1="{at:.1}" y2="{at:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            LEFT - 6.0,
            at + 4.0,
            label(tick)
        );
    }
    let mut ticks: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .collect();
    ticks.sort_by(f64::total_cmp);
    ticks.dedup();
    for x in ticks {
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            px(x),
            TOP + plot_h + 18.0,
            label(x)
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        LEFT + plot_w / 2.0,
        HEIGHT - 10.0,
        escape(x_label)
    );
    let _ = writeln!(
        svg,
        r#"<text transform="translate(18 {}) rotate(-90)" text-anchor="middle">{}</text>"#,
        TOP + plot_h / 2.0,
        escape(&y_label)
    );
    let _ = writeln!(
        svg,
        r##"<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#444"/>"##
    );
    for (i, s) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let points: Vec<String> = s
            .points
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        let _ = writeln!(
            svg,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
            points.join(" ")
        );
        for &(x, y) in &s.points {
            let _ = writeln!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"/>"#,
                px(x),
                py(y)
            );
        }
        let ly = TOP + 10.0 + 18.0 * i as f64;
        let lx = WIDTH - RIGHT + 15.0;
        let _ = writeln!(
            svg,
            r#"<line x1="{lx}" x2="{}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="2"/><text x="{}" y="{}">{}</text>"#,
            lx + 20.0,
            lx + 26.0,
            ly + 4.0,
            escape(&s.name)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// The y axis of a chart: its range, where its ticks go, and where a
/// value lands on it.
#[derive(Debug, PartialEq)]
struct YAxis {
    axis: Axis,
    /// The value at the bottom.
    lo: f64,
    /// The value at the top.
    hi: f64,
    /// Labelled values, bottom to top.
    ticks: Vec<f64>,
}

/// When the values span fewer decades than this, a log axis has ticks at 1,
/// 2 and 5 times each power of ten, not only at the powers.
const FEW_DECADES: f64 = 3.0;

impl YAxis {
    fn new(axis: Axis, series: &[Series]) -> YAxis {
        let ys = || series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
        let max = ys().fold(0.0, f64::max);
        match axis {
            Axis::Linear => {
                let hi = nice_ceiling(max);
                let ticks = (0..=5).map(|i| hi * f64::from(i) / 5.0).collect();
                YAxis {
                    axis,
                    lo: 0.0,
                    hi,
                    ticks,
                }
            }
            Axis::Log => {
                let min = ys().filter(|&y| y > 0.0).fold(f64::INFINITY, f64::min);
                let (min, max) = if min.is_finite() {
                    (min, max)
                } else {
                    (1.0, 10.0)
                };
                // Few decades: ends and ticks at 1, 2 and 5 × 10^k; else
                // at the powers of ten only.
                let (lo, mut hi, steps): (f64, f64, &[f64]) = if (max / min).log10() < FEW_DECADES {
                    (nice_floor(min), nice_ceiling(max), &[1.0, 2.0, 5.0])
                } else {
                    (decade_floor(min), decade_ceiling(max), &[1.0])
                };
                if hi <= lo {
                    hi = nice_ceiling(lo * 1.01);
                }
                let mut ticks = Vec::new();
                let mut decade = decade_floor(lo);
                while decade <= hi {
                    for m in steps {
                        let t = round_sig(m * decade);
                        if t >= lo && t <= hi {
                            ticks.push(t);
                        }
                    }
                    decade = round_sig(decade * 10.0);
                }
                YAxis {
                    axis,
                    lo,
                    hi,
                    ticks,
                }
            }
        }
    }

    /// Where `v` lands: 0 at the bottom, 1 at the top.
    fn fraction(&self, v: f64) -> f64 {
        match self.axis {
            Axis::Linear => (v - self.lo) / (self.hi - self.lo),
            Axis::Log => (v.max(self.lo).ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln()),
        }
    }
}

/// The power of ten at most `v` (positive).
fn decade_floor(v: f64) -> f64 {
    round_sig(10f64.powf(v.log10().floor()))
}

/// The power of ten at least `v` (positive).
fn decade_ceiling(v: f64) -> f64 {
    let d = decade_floor(v);
    if d < v { round_sig(d * 10.0) } else { d }
}

/// `v` rounded to 12 significant digits, so that powers of ten and their
/// 2 and 5 multiples compare exactly (`10f64.powf(-1.0)` is not `0.1`).
fn round_sig(v: f64) -> f64 {
    format!("{v:.11e}").parse().unwrap_or(v)
}

/// 1, 2 or 5 times a power of ten, at least `v`.
fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let magnitude = decade_floor(v);
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| round_sig(m * magnitude))
        .find(|&c| c >= v)
        .unwrap_or(10.0 * magnitude)
}

/// 1, 2 or 5 times a power of ten, at most `v` (positive).
fn nice_floor(v: f64) -> f64 {
    let magnitude = decade_floor(v);
    [5.0, 2.0, 1.0]
        .iter()
        .map(|m| round_sig(m * magnitude))
        .find(|&f| f <= v)
        .unwrap_or(magnitude)
}

/// A tick or axis label: whole numbers bare, fractions with the digits
/// they need (`0.05`).
fn label(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        let places = (-v.abs().log10().floor()).max(1.0) as usize;
        let s = format!("{v:.places$}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_has_a_line_and_legend_per_series() {
        let series = vec![
            Series {
                name: "futex".into(),
                points: vec![(1.0, 7.0), (2.0, 9.0), (16.0, 12.0)],
            },
            Series {
                name: "a<b".into(),
                points: vec![(1.0, 6.0), (16.0, 8.0)],
            },
        ];
        let svg = line_chart("t", "threads", "ns/op", &series, Axis::Linear);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 5);
        assert!(svg.contains(">futex<") && svg.contains(">a&lt;b<"));
        assert!(svg.ends_with("</svg>\n"));
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_ceiling(7.3), 10.0);
        assert_eq!(nice_ceiling(42.0), 50.0);
        assert_eq!(nice_ceiling(150.0), 200.0);
        assert_eq!(nice_floor(7.3), 5.0);
        assert_eq!(nice_floor(15.0), 10.0);
        assert_eq!(nice_floor(0.03), 0.02);
        assert_eq!(decade_ceiling(700.0), 1000.0);
        assert_eq!(decade_ceiling(100.0), 100.0);
    }

    fn lines(ys: &[&[f64]]) -> Vec<Series> {
        ys.iter()
            .enumerate()
            .map(|(i, ys)| Series {
                name: format!("s{i}"),
                points: ys
                    .iter()
                    .enumerate()
                    .map(|(x, &y)| (x as f64 + 1.0, y))
                    .collect(),
            })
            .collect()
    }

    #[test]
    fn auto_takes_a_log_axis_past_ten_times() {
        // The spin peer at 700 ns/op beside locks at 15-25.
        let wide = lines(&[&[15.0, 22.0, 25.0], &[16.0, 120.0, 700.0]]);
        assert_eq!(span(&wide), Some(700.0 / 15.0));
        assert_eq!(axis(Scale::Auto, &wide), Axis::Log);
        assert_eq!(axis(Scale::Linear, &wide), Axis::Linear);
        // Exactly 10× is not more than 10×.
        let narrow = lines(&[&[15.0, 30.0], &[20.0, 150.0]]);
        assert_eq!(axis(Scale::Auto, &narrow), Axis::Linear);
        assert_eq!(axis(Scale::Log, &narrow), Axis::Log);
        // A log axis cannot show 0; nothing to plot is linear.
        let zero = lines(&[&[0.0, 5.0, 500.0]]);
        assert_eq!(span(&zero), None);
        assert_eq!(axis(Scale::Log, &zero), Axis::Linear);
        assert_eq!(axis(Scale::Auto, &zero), Axis::Linear);
        assert_eq!(axis(Scale::Auto, &[]), Axis::Linear);
    }

    #[test]
    fn log_ticks_sit_at_powers_of_ten_and_2_5_between_few() {
        let few = YAxis::new(Axis::Log, &lines(&[&[15.0, 700.0]]));
        assert_eq!((few.lo, few.hi), (10.0, 1000.0));
        assert_eq!(few.ticks, [10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]);
        assert!((few.fraction(100.0) - 0.5).abs() < 1e-12);
        assert_eq!(few.fraction(10.0), 0.0);
        assert!((few.fraction(1000.0) - 1.0).abs() < 1e-12);

        let many = YAxis::new(Axis::Log, &lines(&[&[1.5, 20_000.0]]));
        assert_eq!((many.lo, many.hi), (1.0, 100_000.0));
        assert_eq!(many.ticks, [1.0, 10.0, 100.0, 1000.0, 10_000.0, 100_000.0]);

        let small = YAxis::new(Axis::Log, &lines(&[&[0.03, 0.8]]));
        assert_eq!(small.ticks, [0.02, 0.05, 0.1, 0.2, 0.5, 1.0]);
        let labels: Vec<String> = small.ticks.iter().map(|&t| label(t)).collect();
        assert_eq!(labels, ["0.02", "0.05", "0.1", "0.2", "0.5", "1"]);

        // One value still gets an axis with room above it.
        let flat = YAxis::new(Axis::Log, &lines(&[&[10.0, 10.0]]));
        assert_eq!((flat.lo, flat.hi), (10.0, 20.0));

        let linear = YAxis::new(Axis::Linear, &lines(&[&[15.0, 42.0]]));
        assert_eq!(linear.ticks, [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]);
    }

    #[test]
    fn a_log_chart_says_so_and_labels_its_decades() {
        let series = lines(&[&[15.0, 22.0], &[16.0, 700.0]]);
        let svg = line_chart("t", "threads", "ns/op (median)", &series, Axis::Log);
        assert!(svg.contains(">ns/op (median), log scale<"), "{svg}");
        for tick in [">10<", ">100<", ">1000<", ">500<"] {
            assert!(svg.contains(tick), "{tick} missing: {svg}");
        }
    }
}
