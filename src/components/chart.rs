//! Monthly bar charts, drawn on the server as SVG: readable without JavaScript (axis labels in
//! the shop's currency, a tooltip per month from SVG `<title>`, the figures as a table for
//! screen readers and anyone who prefers numbers). Once its readout island has hydrated, the
//! month under the pointer is read out below the chart.
//!
//! Our own small component rather than a chart crate: the Rust chart crates either draw to a
//! canvas from WASM (nothing without JavaScript, and a heavy bundle) or render SVG strings on
//! the server only (no readout after hydration). This is a few rectangles and lines.

use super::table::TableRegion;
use crate::domain::period::Month;
use crate::domain::{Currency, Money};
use leptos::prelude::*;

/// One series of bars: a name for the legend, a CSS class for its colour, one value per month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series {
    pub name: &'static str,
    pub class: &'static str,
    pub values: Vec<Money>,
}

/// The value axis: from `min` to `max` (minor units) in steps of `step`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scale {
    pub min: i64,
    pub max: i64,
    pub step: i64,
}

/// A value axis with round steps (1, 2 or 5 × a power of ten, at least one major unit) that
/// covers zero and every value, in about four steps.
pub fn scale(values: impl IntoIterator<Item = i64>) -> Scale {
    let (lo, hi) = values
        .into_iter()
        .fold((0i64, 0i64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let rough = (hi.saturating_sub(lo) / 4).max(1);
    let mut magnitude: i64 = 100;
    while magnitude.saturating_mul(10) <= rough {
        magnitude = magnitude.saturating_mul(10);
    }
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|f| magnitude.saturating_mul(f))
        .find(|s| *s >= rough)
        .unwrap_or(magnitude);
    let low = lo.div_euclid(step);
    let mut high = hi.div_euclid(step) + i64::from(hi.rem_euclid(step) != 0);
    if high == low {
        // Everything is zero: still draw one step so the axis has a height.
        high += 1;
    }
    Scale {
        min: low.saturating_mul(step),
        max: high.saturating_mul(step),
        step,
    }
}

impl Scale {
    /// The values to label on the axis, lowest first.
    pub fn ticks(&self) -> Vec<i64> {
        std::iter::successors(Some(self.min), |t| t.checked_add(self.step))
            .take_while(|t| *t <= self.max)
            .collect()
    }
}

/// An axis label: the currency's format without the paise of a round number ("₹5,000").
pub fn axis_label(currency: &Currency, minor: i64) -> String {
    let text = currency.format(Money::from_minor(minor));
    text.strip_suffix(".00").map(str::to_owned).unwrap_or(text)
}

// The drawing's coordinate system (the SVG scales to its box).
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 92.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 44.0;

/// The series' value for month `i` (zero if the series is short).
fn value(series: &Series, i: usize) -> Money {
    series.values.get(i).copied().unwrap_or_default()
}

fn px(v: f64) -> String {
    format!("{v:.1}")
}

/// Where things go in the drawing.
#[derive(Clone, Copy)]
struct Geometry {
    scale: Scale,
    /// Width of one month.
    band: f64,
    /// Width of one bar.
    bar: f64,
}

impl Geometry {
    fn new(scale: Scale, months: usize, series: usize) -> Self {
        let band = (WIDTH - LEFT - RIGHT) / months.max(1) as f64;
        Self {
            scale,
            band,
            bar: band * 0.72 / series.max(1) as f64,
        }
    }

    /// The vertical position of a value.
    fn y(&self, minor: i64) -> f64 {
        let span = (self.scale.max - self.scale.min).max(1) as f64;
        TOP + (self.scale.max - minor) as f64 / span * (HEIGHT - TOP - BOTTOM)
    }

    /// The left edge of month `i`.
    fn x(&self, i: usize) -> f64 {
        LEFT + self.band * i as f64
    }
}

/// Text made safe inside SVG markup.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The still part of the chart — grid, axis labels, bars, month labels — as SVG markup. One
/// string rather than a tree of views: it never changes after rendering, and it keeps the
/// browser bundle small.
fn drawing(months: &[Month], series: &[Series], currency: &Currency, g: Geometry) -> String {
    use std::fmt::Write;
    let mut svg = String::new();
    for t in g.scale.ticks() {
        let class = if t == 0 { "axis" } else { "grid" };
        let y = g.y(t);
        let _ = write!(
            svg,
            r#"<line class="{class}" x1="{}" x2="{}" y1="{}" y2="{}"></line><text class="tick" x="{}" y="{}" text-anchor="end">{}</text>"#,
            px(LEFT),
            px(WIDTH - RIGHT),
            px(y),
            px(y),
            px(LEFT - 6.0),
            px(y + 4.0),
            escape(&axis_label(currency, t)),
        );
    }
    let label_every = months.len().div_ceil(12).max(1);
    let mut last_year = None;
    for (i, month) in months.iter().enumerate() {
        let first_bar = g.x(i) + (g.band - g.bar * series.len() as f64) / 2.0;
        for (s, one) in series.iter().enumerate() {
            let v = value(one, i).minor();
            let (top, bottom) = (g.y(v.max(0)), g.y(v.min(0)));
            let negative = if v < 0 { " negative" } else { "" };
            let _ = write!(
                svg,
                r#"<rect class="bar {}{negative}" x="{}" y="{}" width="{}" height="{}"></rect>"#,
                one.class,
                px(first_bar + g.bar * s as f64),
                px(top),
                px(g.bar * 0.92),
                px((bottom - top).max(0.0)),
            );
        }
        if i % label_every != 0 {
            continue;
        }
        let centre = px(g.x(i) + g.band / 2.0);
        let _ = write!(
            svg,
            r#"<text class="month" x="{centre}" y="{}" text-anchor="middle">{}</text>"#,
            px(HEIGHT - BOTTOM + 16.0),
            month.short(),
        );
        if last_year != Some(month.year) {
            last_year = Some(month.year);
            let _ = write!(
                svg,
                r#"<text class="year" x="{centre}" y="{}" text-anchor="middle">{}</text>"#,
                px(HEIGHT - BOTTOM + 32.0),
                month.year,
            );
        }
    }
    svg
}

/// Bars per month for each series, with a value axis, month labels, a legend, tooltips, a
/// readout of the month under the pointer (hydrated) and a table of the figures.
#[component]
pub fn MonthChart(
    /// What the chart shows, e.g. "Earned and spent by month"; also its accessible name.
    title: String,
    months: Vec<Month>,
    series: Vec<Series>,
    currency: Currency,
) -> impl IntoView {
    let scale = scale(
        series
            .iter()
            .flat_map(|s| s.values.iter().map(|v| v.minor())),
    );
    let g = Geometry::new(scale, months.len(), series.len());
    let readouts: Vec<String> = months
        .iter()
        .enumerate()
        .map(|(i, month)| {
            let values = series
                .iter()
                .map(|s| format!("{} {}", s.name, currency.format(value(s, i))))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{}: {values}", month.label())
        })
        .collect();
    let summary = match (months.first(), months.last()) {
        (Some(first), Some(last)) => format!(
            "{title}, {} to {}. The figures are in the table below.",
            first.label(),
            last.label()
        ),
        _ => title.clone(),
    };
    let still = drawing(&months, &series, &currency, g);
    // One transparent target per month, on top: its <title> is the tooltip without JavaScript;
    // hydrated, pointing at it reads the month out below the chart.
    let targets = readouts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            view! {
                <rect class="hit" data-month=i
                    x=px(g.x(i)) y=px(TOP) width=px(g.band) height=px(HEIGHT - TOP - BOTTOM)>
                    <title>{text.clone()}</title>
                </rect>
            }
        })
        .collect_view();

    let legend = series
        .iter()
        .map(|s| view! { <li><span class=format!("swatch {}", s.class)></span>{s.name}</li> })
        .collect_view();
    let header = series
        .iter()
        .map(|s| view! { <th scope="col" class="num">{s.name}</th> })
        .collect_view();
    let rows = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let cells = series
                .iter()
                .map(|s| view! { <td class="num">{currency.format(value(s, i))}</td> })
                .collect_view();
            view! { <tr><th scope="row">{m.label()}</th>{cells}</tr> }
        })
        .collect_view();

    let (drawing_label, table_label) = (title.clone(), format!("{title}: the figures"));
    view! {
        <figure class="chart">
            <MonthReadout readouts>
                // On a phone the drawing keeps a readable size and scrolls sideways.
                <TableRegion label=drawing_label class="chart-scroll">
                    <svg
                        viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                        role="img"
                        aria-label=summary
                        preserveAspectRatio="xMidYMid meet"
                    >
                        <g inner_html=still></g>
                        {targets}
                    </svg>
                </TableRegion>
            </MonthReadout>
            <figcaption>
                <ul class="legend">{legend}</ul>
            </figcaption>
            <details class="chart-table">
                <summary>"Show the figures as a table"</summary>
                <TableRegion label=table_label>
                    <table class="data">
                        <caption class="visually-hidden">{title}</caption>
                        <thead><tr><th scope="col">"Month"</th>{header}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </TableRegion>
            </details>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_has_round_steps_covering_zero_and_every_value() {
        let s = scale([0, 123_456]);
        assert_eq!(
            s,
            Scale {
                min: 0,
                max: 150_000,
                step: 50_000
            }
        );
        assert_eq!(s.ticks(), vec![0, 50_000, 100_000, 150_000]);
        let s = scale([-20_000, 100_000]);
        assert_eq!(
            s,
            Scale {
                min: -50_000,
                max: 100_000,
                step: 50_000
            }
        );
        let s = scale([40_000, 90_000]);
        assert_eq!(s.min, 0, "the axis starts at zero");
        assert_eq!(s.max, 100_000);
    }

    #[test]
    fn tiny_and_zero_values_still_get_a_whole_unit_axis() {
        assert_eq!(
            scale([0]),
            Scale {
                min: 0,
                max: 100,
                step: 100
            }
        );
        assert_eq!(
            scale([37]),
            Scale {
                min: 0,
                max: 100,
                step: 100
            }
        );
        assert_eq!(scale([-250]).ticks(), vec![-300, -200, -100, 0]);
    }

    #[test]
    fn bars_are_as_tall_as_their_values_and_text_is_escaped() {
        let months = [
            Month {
                year: 2025,
                month: 12,
            },
            Month {
                year: 2026,
                month: 1,
            },
        ];
        let series = [Series {
            name: "Profit",
            class: "profit",
            values: vec![Money::from_minor(100_000), Money::from_minor(-50_000)],
        }];
        let odd = Currency {
            code: "XXX".into(),
            symbol: "<&>".into(),
        };
        let g = Geometry::new(scale([100_000, -50_000]), 2, 1);
        let svg = drawing(&months, &series, &odd, g);
        // From -500 to 1,000 over 206 units: zero sits at 10 + 206 × 2/3; bars are 72% of a
        // 310-unit month.
        assert!(
            svg.contains(r#"class="bar profit" x="135.4" y="10.0" width="205.3" height="137.3""#),
            "{svg}"
        );
        assert!(
            svg.contains(
                r#"class="bar profit negative" x="445.4" y="147.3" width="205.3" height="68.7""#
            ),
            "{svg}"
        );
        assert!(svg.contains("&lt;&amp;&gt;1,000") && !svg.contains("<&>"));
        assert_eq!(
            svg.matches(r#"class="year""#).count(),
            2,
            "a year under its first month"
        );
    }

    #[test]
    fn axis_labels_use_the_shop_currency_without_paise() {
        let inr = Currency::default();
        assert_eq!(axis_label(&inr, 10_000_000), "₹1,00,000");
        assert_eq!(axis_label(&inr, -50_000), "-₹500");
        assert_eq!(axis_label(&inr, 150), "₹1.50");
    }
}

/// Reads out the month under the pointer below the drawing in `children` (whose targets carry
/// `data-month`). The only part of a chart that runs in the browser: the drawing itself stays
/// server HTML, and this island receives nothing but the readout texts.
#[island]
fn MonthReadout(readouts: Vec<String>, children: Children) -> impl IntoView {
    let active = RwSignal::new(None::<usize>);
    let point = move |ev: leptos::ev::PointerEvent| active.set(month_under(&ev));
    view! {
        <div class="chart-body" on:pointerover=point on:pointerleave=move |_| active.set(None)>
            {children()}
            <p class="chart-readout" aria-live="polite">
                {move || active.get().and_then(|i| readouts.get(i).cloned())}
            </p>
        </div>
    }
}

/// The month of the target under the pointer, if it is one.
fn month_under(ev: &leptos::ev::PointerEvent) -> Option<usize> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        ev.target()?
            .dyn_into::<web_sys::Element>()
            .ok()?
            .get_attribute("data-month")?
            .parse()
            .ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        None
    }
}
