//! Monthly bar charts, drawn on the server as SVG: readable without JavaScript (axis labels in
//! the shop's currency, a tooltip per month from SVG `<title>`, the figures as a table for
//! screen readers and anyone who prefers numbers). Once hydrated, the month under the pointer
//! is read out below the chart.
//!
//! Our own small component rather than a chart crate: the Rust chart crates either draw to a
//! canvas from WASM (nothing without JavaScript, and a heavy bundle) or render SVG strings on
//! the server only (no readout after hydration). This is a few rectangles and lines.

use crate::domain::dashboard::Month;
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
    let plot_h = HEIGHT - TOP - BOTTOM;
    let plot_w = WIDTH - LEFT - RIGHT;
    let span = (scale.max - scale.min).max(1) as f64;
    let y = move |v: i64| TOP + (scale.max - v) as f64 / span * plot_h;
    let count = months.len().max(1);
    let band = plot_w / count as f64;
    let bar = band * 0.72 / series.len().max(1) as f64;
    let label_every = count.div_ceil(12);
    let active = RwSignal::new(None::<usize>);

    let describe = {
        let (series, currency) = (series.clone(), currency.clone());
        move |i: usize, month: Month| {
            let values = series
                .iter()
                .map(|s| format!("{} {}", s.name, currency.format(value(s, i))))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{}: {values}", month.label())
        }
    };
    let readouts: Vec<String> = months
        .iter()
        .enumerate()
        .map(|(i, m)| describe(i, *m))
        .collect();
    let summary = match (months.first(), months.last()) {
        (Some(first), Some(last)) => format!(
            "{title}, {} to {}. The figures are in the table below.",
            first.label(),
            last.label()
        ),
        _ => title.clone(),
    };

    let grid = scale
        .ticks()
        .into_iter()
        .map(|t| {
            let at = px(y(t));
            view! {
                <line class=if t == 0 { "axis" } else { "grid" } x1=px(LEFT) x2=px(WIDTH - RIGHT) y1=at.clone() y2=at.clone()/>
                <text class="tick" x=px(LEFT - 6.0) y=px(y(t) + 4.0) text-anchor="end">{axis_label(&currency, t)}</text>
            }
        })
        .collect_view();

    let mut last_year = None;
    let bands = months
        .iter()
        .enumerate()
        .map(|(i, month)| {
            let x0 = LEFT + band * i as f64;
            let first_bar = x0 + (band - bar * series.len() as f64) / 2.0;
            let bars = series
                .iter()
                .enumerate()
                .map(|(s, one)| {
                    let v = value(one, i).minor();
                    let (top, bottom) = (y(v.max(0)), y(v.min(0)));
                    let class = if v < 0 {
                        format!("bar {} negative", one.class)
                    } else {
                        format!("bar {}", one.class)
                    };
                    view! {
                        <rect class=class x=px(first_bar + bar * s as f64) y=px(top) width=px(bar * 0.92) height=px((bottom - top).max(0.0))/>
                    }
                })
                .collect_view();
            let labelled = i % label_every == 0;
            let year = (labelled && last_year != Some(month.year)).then(|| {
                last_year = Some(month.year);
                month.year.to_string()
            });
            let centre = px(x0 + band / 2.0);
            let label = labelled.then(|| {
                view! {
                    <text class="month" x=centre.clone() y=px(TOP + plot_h + 16.0) text-anchor="middle">{month.short()}</text>
                }
            });
            let year = year.map(|year| {
                view! {
                    <text class="year" x=centre.clone() y=px(TOP + plot_h + 32.0) text-anchor="middle">{year}</text>
                }
            });
            let tooltip = readouts[i].clone();
            view! {
                <g class="band" class:active=move || active.get() == Some(i)>
                    <title>{tooltip}</title>
                    {bars}
                    {label}
                    {year}
                    <rect class="hit" x=px(x0) y=px(TOP) width=px(band) height=px(plot_h)
                        on:pointerenter=move |_| active.set(Some(i))/>
                </g>
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

    view! {
        <figure class="chart">
            // On a phone the drawing keeps a readable size and scrolls sideways.
            <div class="chart-scroll">
                <svg
                    viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                    role="img"
                    aria-label=summary
                    preserveAspectRatio="xMidYMid meet"
                    on:pointerleave=move |_| active.set(None)
                >
                    {grid}
                    {bands}
                </svg>
            </div>
            <figcaption>
                <ul class="legend">{legend}</ul>
                <p class="chart-readout" aria-live="polite">
                    {move || active.get().and_then(|i| readouts.get(i).cloned())}
                </p>
            </figcaption>
            <details class="chart-table">
                <summary>"Show the figures as a table"</summary>
                <div class="table-wrap">
                    <table class="data">
                        <caption class="visually-hidden">{title}</caption>
                        <thead><tr><th scope="col">"Month"</th>{header}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
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
    fn axis_labels_use_the_shop_currency_without_paise() {
        let inr = Currency::default();
        assert_eq!(axis_label(&inr, 10_000_000), "₹1,00,000");
        assert_eq!(axis_label(&inr, -50_000), "-₹500");
        assert_eq!(axis_label(&inr, 150), "₹1.50");
    }
}
