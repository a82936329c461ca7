//! Chart geometry for the trends: stacked bars (incidents per week by severity) and
//! lines (median and p90 durations per month), computed here in SVG user units and
//! drawn by `templates/chart.html`. Pure.
//!
//! Why not plotters: its SVG backend writes anonymous shapes, with no class or data
//! attribute on a data point (the browser tests count points, and CSS colours them),
//! a fixed pixel width, and needs a font backend to lay out text. A few lines of
//! arithmetic and a template give an SVG that scales with its `viewBox`, passes the
//! strict CSP (no `style` attributes: colours come from the stylesheet), and marks
//! every data point as one `class="point"` element with `data-x`, `data-series` and
//! `data-value`.

use serde::Serialize;

/// The drawing's size in user units: close to a phone's width, so text stays legible
/// when it scales down to fit.
const WIDTH: f64 = 360.0;
const HEIGHT: f64 = 200.0;
const PLOT: Plot = Plot {
    left: 40.0,
    right: 352.0,
    top: 10.0,
    bottom: 176.0,
};
/// At most this many x labels, so they never overlap.
const MAX_X_LABELS: usize = 6;
/// Labels are drawn at 11 units (`svg.chart` in the stylesheet); an average glyph of
/// a sans-serif face is about 0.6 em wide, so this is a generous width per character.
const LABEL_CHAR_WIDTH: f64 = 11.0 * 0.66;
/// Space between two x labels.
const LABEL_GAP: f64 = 6.0;

/// How wide a label is drawn, give or take the font.
fn label_width(label: &str) -> f64 {
    label.chars().count() as f64 * LABEL_CHAR_WIDTH
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Plot {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    /// The element id (and prefix of the title's and description's ids).
    pub id: String,
    pub title: String,
    pub caption: String,
    pub width: f64,
    pub height: f64,
    pub plot: Plot,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    pub series: Vec<Series>,
    /// No point at all: the chart says so instead of standing blank.
    pub empty: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tick {
    /// Where it sits on its axis (y for y ticks, x for x ticks; the other is 0).
    pub y: f64,
    pub x: f64,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Series {
    pub name: String,
    pub label: String,
    /// The CSS class that colours it.
    pub class: String,
    /// Polyline `points` attributes, one per unbroken run of values.
    pub lines: Vec<String>,
    pub points: Vec<Point>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Point {
    /// `bar` or `dot`.
    pub shape: &'static str,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// The category (a week or month) it belongs to.
    pub key: String,
    /// The plain value: a count, or whole seconds.
    pub value: String,
    /// Said on hover and by screen readers.
    pub title: String,
}

/// A category on the x axis: its key (for `data-x`) and its label.
pub struct Category {
    pub key: String,
    pub label: String,
}

/// A series' name (for `data-series`), label (legend) and CSS class.
pub struct SeriesSpec {
    pub name: String,
    pub label: String,
    pub class: String,
}

/// Stacked bars: `counts[c][s]` is series `s` in category `c`. Zero counts draw
/// nothing, so each point is one non-empty stack segment.
pub fn stacked_bars(
    id: &str,
    title: &str,
    caption: &str,
    categories: &[Category],
    specs: &[SeriesSpec],
    counts: &[Vec<u32>],
) -> Chart {
    let max = counts
        .iter()
        .map(|c| c.iter().sum::<u32>())
        .max()
        .unwrap_or(0);
    let scale = Scale::counts(f64::from(max));
    let slot = slot_width(categories.len());
    let bar = slot * 0.7;
    let mut series: Vec<Series> = specs.iter().map(empty_series).collect();
    for (c, (cat, column)) in categories.iter().zip(counts).enumerate() {
        let x = PLOT.left + slot * c as f64 + (slot - bar) / 2.0;
        let mut below = 0u32;
        for (s, &n) in column.iter().enumerate().take(specs.len()) {
            if n == 0 {
                continue;
            }
            let top = scale.y(f64::from(below + n));
            series[s].points.push(Point {
                shape: "bar",
                x: round(x),
                y: round(top),
                w: round(bar),
                h: round(scale.y(f64::from(below)) - top),
                key: cat.key.clone(),
                value: n.to_string(),
                title: format!("{}: {} {}", cat.label, n, specs[s].label),
            });
            below += n;
        }
    }
    Chart {
        id: id.to_string(),
        title: title.to_string(),
        caption: caption.to_string(),
        width: WIDTH,
        height: HEIGHT,
        plot: PLOT,
        y_ticks: scale.ticks(),
        x_ticks: x_ticks(categories),
        empty: series.iter().all(|s| s.points.is_empty()),
        series,
    }
}

/// Lines of durations in seconds: `values[s][c]` is series `s` in category `c`, or
/// `None` where there is nothing to show (a gap in the line, and no point).
pub fn duration_lines(
    id: &str,
    title: &str,
    caption: &str,
    categories: &[Category],
    specs: &[SeriesSpec],
    values: &[Vec<Option<f64>>],
) -> Chart {
    let max = values
        .iter()
        .flatten()
        .flatten()
        .fold(0.0_f64, |m, v| m.max(*v));
    let scale = Scale::durations(max);
    let slot = slot_width(categories.len());
    let mut series = Vec::new();
    for (spec, column) in specs.iter().zip(values) {
        let mut s = empty_series(spec);
        let mut run: Vec<String> = Vec::new();
        for (c, (cat, v)) in categories.iter().zip(column).enumerate() {
            let Some(v) = *v else {
                flush(&mut run, &mut s.lines);
                continue;
            };
            let (x, y) = (
                round(PLOT.left + slot * (c as f64 + 0.5)),
                round(scale.y(v)),
            );
            run.push(format!("{x},{y}"));
            s.points.push(Point {
                shape: "dot",
                x,
                y,
                w: 0.0,
                h: 0.0,
                key: cat.key.clone(),
                value: format!("{}", v.round() as i64),
                title: format!("{} {}: {}", cat.label, spec.label, human_seconds(v)),
            });
        }
        flush(&mut run, &mut s.lines);
        series.push(s);
    }
    Chart {
        id: id.to_string(),
        title: title.to_string(),
        caption: caption.to_string(),
        width: WIDTH,
        height: HEIGHT,
        plot: PLOT,
        y_ticks: scale.ticks(),
        x_ticks: x_ticks(categories),
        empty: series.iter().all(|s| s.points.is_empty()),
        series,
    }
}

/// Ends a run of line points: two or more make a polyline.
fn flush(run: &mut Vec<String>, lines: &mut Vec<String>) {
    if run.len() >= 2 {
        lines.push(run.join(" "));
    }
    run.clear();
}

fn empty_series(spec: &SeriesSpec) -> Series {
    Series {
        name: spec.name.clone(),
        label: spec.label.clone(),
        class: spec.class.clone(),
        lines: Vec::new(),
        points: Vec::new(),
    }
}

fn slot_width(n: usize) -> f64 {
    (PLOT.right - PLOT.left) / n.max(1) as f64
}

fn x_ticks(categories: &[Category]) -> Vec<Tick> {
    let slot = slot_width(categories.len());
    // Labels must not run into each other, nor past the drawing's edges: leave a
    // label's width (and a gap) between two of them, and keep each inside.
    let widest = categories
        .iter()
        .map(|c| label_width(&c.label))
        .fold(0.0_f64, f64::max);
    let apart = ((widest + LABEL_GAP) / slot).ceil().max(1.0) as usize;
    let stride = categories.len().div_ceil(MAX_X_LABELS).max(apart);
    // Label the latest category, and every `stride`-th before it.
    let last = categories.len().saturating_sub(1);
    categories
        .iter()
        .enumerate()
        .filter(|(i, _)| (last - i).is_multiple_of(stride))
        .map(|(i, c)| {
            let half = label_width(&c.label) / 2.0;
            let centre = PLOT.left + slot * (i as f64 + 0.5);
            Tick {
                x: round(centre.clamp(half + 1.0, WIDTH - half - 1.0)),
                y: 0.0,
                label: c.label.clone(),
            }
        })
        .collect()
}

/// The y axis: from 0 to a round top, in ticks of a round step.
struct Scale {
    top: f64,
    step: f64,
    /// Seconds per unit of the labels (1 for counts).
    unit: f64,
    suffix: &'static str,
}

impl Scale {
    fn counts(max: f64) -> Self {
        let step = nice_step(max).max(1.0);
        Self::with(max, step, 1.0, "")
    }

    fn durations(max_seconds: f64) -> Self {
        let (unit, suffix) = match max_seconds {
            m if m < 120.0 => (1.0, "s"),
            m if m <= 2.0 * 3600.0 => (60.0, "m"),
            m if m <= 72.0 * 3600.0 => (3600.0, "h"),
            _ => (86_400.0, "d"),
        };
        let step = nice_step(max_seconds / unit);
        Self::with(max_seconds / unit, step, unit, suffix)
    }

    fn with(max: f64, step: f64, unit: f64, suffix: &'static str) -> Self {
        let top = ((max / step).ceil() * step).max(step);
        Self {
            top,
            step,
            unit,
            suffix,
        }
    }

    /// The y of a value (in seconds for durations).
    fn y(&self, value: f64) -> f64 {
        let share = (value / self.unit / self.top).clamp(0.0, 1.0);
        PLOT.bottom - share * (PLOT.bottom - PLOT.top)
    }

    fn ticks(&self) -> Vec<Tick> {
        let n = (self.top / self.step).round() as usize;
        (0..=n)
            .map(|i| {
                let v = self.step * i as f64;
                Tick {
                    y: round(self.y(v * self.unit)),
                    x: 0.0,
                    label: format!("{}{}", trim_number(v), self.suffix),
                }
            })
            .collect()
    }
}

/// A round step (1, 2 or 5 times a power of ten) giving about four ticks up to `max`.
fn nice_step(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let raw = max / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let normalized = raw / magnitude;
    let nice = if normalized <= 1.0 {
        1.0
    } else if normalized <= 2.0 {
        2.0
    } else if normalized <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

fn trim_number(v: f64) -> String {
    let text = format!("{v:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// `45s`, `4m 05s`, `2h 10m`, `3d 4h`: how long, at a glance.
pub fn human_seconds(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as i64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {:02}s", s / 60, s % 60),
        3600..=86_399 => format!("{}h {:02}m", s / 3600, s / 60 % 60),
        _ => format!("{}d {}h", s / 86_400, s / 3600 % 24),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats(n: usize) -> Vec<Category> {
        (0..n)
            .map(|i| Category {
                key: format!("k{i}"),
                label: format!("L{i}"),
            })
            .collect()
    }

    fn specs(names: &[&str]) -> Vec<SeriesSpec> {
        names
            .iter()
            .map(|n| SeriesSpec {
                name: n.to_string(),
                label: n.to_string(),
                class: n.to_string(),
            })
            .collect()
    }

    #[test]
    fn each_non_empty_stack_segment_is_one_point_inside_the_plot() {
        let counts = vec![vec![2, 0, 1, 0], vec![0, 0, 0, 0], vec![0, 3, 0, 0]];
        let chart = stacked_bars(
            "c",
            "t",
            "x",
            &cats(3),
            &specs(&["a", "b", "c", "d"]),
            &counts,
        );
        let points: Vec<&Point> = chart.series.iter().flat_map(|s| &s.points).collect();
        assert_eq!(points.len(), 3);
        let total: u32 = points.iter().map(|p| p.value.parse::<u32>().unwrap()).sum();
        assert_eq!(total, 6);
        for p in points {
            assert!(p.y >= PLOT.top && p.y + p.h <= PLOT.bottom + 0.1, "{p:?}");
            assert!(p.x >= PLOT.left && p.x + p.w <= PLOT.right, "{p:?}");
        }
        // The tallest stack (3) reaches no higher than the axis' top tick.
        assert!(chart.y_ticks.last().unwrap().label.parse::<u32>().unwrap() >= 3);
    }

    #[test]
    fn a_gap_in_a_line_breaks_it_and_draws_no_point() {
        let values = vec![vec![Some(60.0), Some(120.0), None, Some(30.0)]];
        let chart = duration_lines("c", "t", "x", &cats(4), &specs(&["median"]), &values);
        let s = &chart.series[0];
        assert_eq!(s.points.len(), 3);
        assert_eq!(
            s.lines.len(),
            1,
            "the lone point after the gap draws no line"
        );
        assert_eq!(s.points[1].value, "120");
        assert_eq!(
            chart.y_ticks.last().unwrap().label,
            "2m",
            "{:?}",
            chart.y_ticks
        );
    }

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(human_seconds(45.2), "45s");
        assert_eq!(human_seconds(245.0), "4m 05s");
        assert_eq!(human_seconds(7800.0), "2h 10m");
        assert_eq!(human_seconds(273_600.0), "3d 4h");
    }

    #[test]
    fn steps_are_round_numbers() {
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_step(7.0), 2.0);
        assert_eq!(nice_step(38.0), 10.0);
        assert_eq!(nice_step(900.0), 500.0);
    }

    #[test]
    fn x_labels_are_thinned_to_a_few_ending_with_the_latest() {
        let ticks = x_ticks(&cats(26));
        assert!(ticks.len() <= MAX_X_LABELS, "{}", ticks.len());
        assert_eq!(ticks.last().unwrap().label, "L25");
    }

    #[test]
    fn x_labels_stay_inside_the_drawing_and_clear_of_each_other() {
        // Twelve months of "Nov 2026"-wide labels: the browser test found the last one
        // cut off at the right edge and neighbours drawn over each other.
        let months: Vec<Category> = (0..12)
            .map(|i| Category {
                key: format!("m{i}"),
                label: format!("Mmm {}", 2020 + i),
            })
            .collect();
        for cats in [months, cats(26), cats(1)] {
            let ticks = x_ticks(&cats);
            for t in &ticks {
                let half = label_width(&t.label) / 2.0;
                assert!(
                    t.x - half >= 0.0 && t.x + half <= WIDTH,
                    "{} at {}",
                    t.label,
                    t.x
                );
            }
            for pair in ticks.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                let room = (label_width(&a.label) + label_width(&b.label)) / 2.0;
                assert!(b.x - a.x >= room, "{} and {} overlap", a.label, b.label);
            }
        }
    }
}
