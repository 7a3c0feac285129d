//! `/`: the dashboard. A period selector (a plain GET form; hydrated, choosing a preset
//! loads it at once), the period's figures, monthly charts, top products and what needs
//! attention in the stock. Cost and profit figures only reach managers (see
//! [`crate::domain::dashboard::Dashboard`]).

use crate::api::dashboard::load_dashboard;
use crate::components::chart::{MonthChart, Series};
use crate::components::table::TableRegion;
use crate::domain::dashboard::{Alerts, Dashboard, TopProduct};
use crate::domain::period::PeriodKind;
use crate::domain::product::COUNT_CAP;
use crate::domain::{Currency, Money};
use crate::error::AppError;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The dashboard page.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let query = use_query_map();
    let request = Memo::new(move |_| {
        let param = |name: &str| query.read().get(name).filter(|v| !v.trim().is_empty());
        (param("period"), param("from"), param("to"))
    });
    let dashboard = Resource::new(
        move || request.get(),
        |(period, from, to)| load_dashboard(period, from, to),
    );
    view! {
        <Title text="Dashboard"/>
        <h1>"Dashboard"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading the figures…"</p> }>
            {move || Suspend::new(async move {
                match dashboard.await {
                    Ok(d) => {
                        let form = view! {
                            <PeriodForm kind=d.period.kind from=d.period.from.clone() to=d.period.to.clone() error=None/>
                        };
                        Either::Left(view! { {form} <DashboardBody d/> })
                    }
                    Err(error) => {
                        let (period, from, to) = request.get_untracked();
                        let kind = match period.as_deref() {
                            Some(p) => PeriodKind::from_param(p).unwrap_or_default(),
                            None if from.is_some() || to.is_some() => PeriodKind::Custom,
                            None => PeriodKind::ThisMonth,
                        };
                        Either::Right(view! {
                            <PeriodForm kind from=from.unwrap_or_default() to=to.unwrap_or_default() error=Some(error)/>
                        })
                    }
                }
            })}
        </Transition>
    }
}

/// The period selector: a GET form to `/`, so it works without JavaScript. Hydrated (an island),
/// a preset chosen in the list shows at once, and typing a date switches the list to
/// `Custom range`.
#[island]
fn PeriodForm(
    kind: PeriodKind,
    from: String,
    to: String,
    error: Option<AppError>,
) -> impl IntoView {
    let choice = RwSignal::new(kind);
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(chosen) = PeriodKind::from_param(&event_target_value(&ev)) {
            choice.set(chosen);
            if chosen != PeriodKind::Custom {
                show_page(&format!("/?period={}", chosen.param()));
            }
        }
    };
    let to_custom = move |_| choice.set(PeriodKind::Custom);
    let message = |field: &str| {
        let text = error.as_ref().and_then(|e| e.for_field(field));
        text.map(|m| view! { <p class="field-error" role="alert">{m}</p> })
    };
    let (period_error, from_error, to_error) = (message("period"), message("from"), message("to"));
    let general = error
        .as_ref()
        .filter(|e| !matches!(e, AppError::Invalid { .. } | AppError::InvalidFields(_)))
        .map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> });
    view! {
        <form action="/" method="get" class="period-form">
            <div class="field">
                <label for="period">"Period"</label>
                <select id="period" name="period" on:change=on_change prop:value=move || choice.get().param().to_owned()>
                    {PeriodKind::ALL
                        .into_iter()
                        .map(|k| view! { <option value=k.param() selected=k == kind>{k.label()}</option> })
                        .collect_view()}
                </select>
                {period_error}
            </div>
            <div class="field">
                <label for="from">"From"</label>
                <input id="from" name="from" type="date" value=from on:input=to_custom/>
                {from_error}
            </div>
            <div class="field">
                <label for="to">"To"</label>
                <input id="to" name="to" type="date" value=to on:input=to_custom/>
                {to_error}
            </div>
            <button type="submit" class="button secondary">"Show"</button>
        </form>
        {general}
    }
}

/// Loads `href` as a page, as following a link would.
fn show_page(href: &str) {
    #[cfg(feature = "hydrate")]
    if let Err(error) = window().location().set_href(href) {
        leptos::logging::error!("could not open {href}: {error:?}");
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = href;
}

/// One figure: a group named by its label (`Earned`, `Spent`, `Profit`…) holding the value.
fn figure(id: &'static str, label: &'static str, value: String, negative: bool) -> impl IntoView {
    view! {
        <div class="figure" role="group" aria-labelledby=id>
            <span class="figure-label" id=id>{label}</span>
            <span class="figure-value" class:negative=negative>{value}</span>
        </div>
    }
}

#[component]
fn DashboardBody(d: Dashboard) -> impl IntoView {
    let currency = d.currency.clone();
    let money = move |m: Money| currency.format(m);
    let chart_empty = d.chart_is_empty();
    let months: Vec<_> = d.months.iter().map(|m| m.month).collect();
    let earned_series = Series {
        name: "Earned",
        class: "earned",
        values: d.months.iter().map(|m| m.earned).collect(),
    };
    let spent_series = d.costs.map(|_| Series {
        name: "Spent",
        class: "spent",
        values: d
            .months
            .iter()
            .map(|m| m.spent.unwrap_or_default())
            .collect(),
    });
    let profit_series = d.costs.map(|_| Series {
        name: "Profit",
        class: "profit",
        values: d
            .months
            .iter()
            .map(|m| m.profit.unwrap_or_default())
            .collect(),
    });
    let losses_series = d.costs.map(|_| Series {
        name: "Losses",
        class: "losses",
        values: d
            .months
            .iter()
            .map(|m| m.losses.unwrap_or_default())
            .collect(),
    });

    let welcome = (!d.has_history).then(|| view! {
        <div class="card welcome">
            <h2>"Welcome to Stockroom"</h2>
            <p>
                "Nothing has been bought or sold yet. Record a purchase on "<a href="/buy">"Buy"</a>
                " and a sale on "<a href="/sell">"Sell"</a>
                ", and this page shows what you earn, spend and make, month by month."
            </p>
        </div>
    });

    let sales_chart = if !d.has_history {
        Either::Left(view! { <p class="empty">"Sales appear here once you record one."</p> })
    } else if chart_empty {
        Either::Left(view! { <p class="empty">"Nothing was bought or sold in these months."</p> })
    } else {
        let (title, series) = match spent_series {
            Some(spent) => ("Earned and spent by month", vec![earned_series, spent]),
            None => ("Earned by month", vec![earned_series]),
        };
        Either::Right(view! {
            <MonthChart title=title.to_owned() months=months.clone() series currency=d.currency.clone()/>
        })
    };

    let profit_part = match (d.costs, d.has_history) {
        (None, _) => Either::Left(view! {
            <p class="muted">"Spending, profit and the value of the stock are shown to managers."</p>
        }.into_any()),
        (Some(_), false) => Either::Left(view! {
            <p class="empty">"Profit appears here once you sell something."</p>
        }.into_any()),
        (Some(costs), true) => {
            let chart = (!chart_empty).then(|| {
                let series = profit_series.into_iter().chain(losses_series).collect::<Vec<_>>();
                view! { <MonthChart title="Profit by month, with losses".to_owned() months series currency=d.currency.clone()/> }
            });
            Either::Right(view! {
                <div class="figures">
                    {figure("fig-profit", "Profit", money(costs.profit), costs.profit < Money::ZERO)}
                    {figure("fig-losses", "Losses", money(costs.losses), false)}
                    {figure("fig-cogs", "Cost of goods sold", money(costs.cost_of_goods), false)}
                    {figure("fig-stock-value", "Stock value at cost", money(costs.stock_value), false)}
                </div>
                {chart}
            })
        }
    };

    let sales_figures = d.has_history.then(|| {
        let spent = d
            .costs
            .map(|c| figure("fig-spent", "Spent", money(c.spent), false));
        view! {
            <div class="figures">
                {figure("fig-earned", "Earned", money(d.earned), false)}
                {spent}
                {figure("fig-units-sold", "Units sold", d.units_sold.to_string(), false)}
                {figure("fig-units-bought", "Units bought", d.units_bought.to_string(), false)}
            </div>
        }
    });

    let manager = d.costs.is_some();
    view! {
        {welcome}
        <section class="dash-section" aria-labelledby="h-sales">
            <h2 id="h-sales">"Sales"</h2>
            <p class="muted period-range">{format!("{} · {} time · amounts before tax", d.period.describe(), crate::components::time::zone_name())}</p>
            {sales_figures}
            {sales_chart}
        </section>
        <section class="dash-section" aria-labelledby="h-profit">
            <h2 id="h-profit">"Profit"</h2>
            {profit_part}
        </section>
        <section class="dash-section" aria-labelledby="h-top">
            <h2 id="h-top">"Top products"</h2>
            {if d.top_by_revenue.is_empty() {
                Either::Left(view! { <p class="empty">"No sales in this period."</p> })
            } else {
                Either::Right(view! {
                    <div class="dash-pair">
                        <TopTable title="By revenue" rows=d.top_by_revenue currency=d.currency.clone() manager/>
                        <TopTable title="By units" rows=d.top_by_units currency=d.currency.clone() manager/>
                    </div>
                })
            }}
        </section>
        <div class="dash-pair">
            <section class="dash-section" aria-labelledby="h-low">
                <h2 id="h-low">"Low stock"</h2>
                <AlertTable alerts=d.low_stock label="Low stock" limit="Lower limit" none="Every product is at or above its lower limit."/>
                <p><a href="/reorder">"What to reorder"</a></p>
            </section>
            <section class="dash-section" aria-labelledby="h-over">
                <h2 id="h-over">"Overstock"</h2>
                <AlertTable alerts=d.overstock label="Overstock" limit="Upper limit" none="No product is above its upper limit."/>
            </section>
        </div>
        <section class="dash-section" aria-labelledby="h-expiring">
            <h2 id="h-expiring">"Expiring soon"</h2>
            <p>
                {match d.expiring_lots {
                    0 => Either::Left(view! { "No lots expire within 3 days. " <a href="/expiry">"See expiry"</a> }),
                    n => Either::Right(view! {
                        <a href="/expiry">{match n {
                            1 => "1 lot expiring within 3 days".to_owned(),
                            n if n > COUNT_CAP => "More than 1,000 lots expiring within 3 days".to_owned(),
                            n => format!("{n} lots expiring within 3 days"),
                        }}</a>
                    }),
                }}
            </p>
        </section>
    }
}

/// One `Top products` list.
#[component]
fn TopTable(
    title: &'static str,
    rows: Vec<TopProduct>,
    currency: Currency,
    manager: bool,
) -> impl IntoView {
    let body = rows
        .into_iter()
        .map(|p| {
            let profit = p
                .profit
                .map(|m| view! { <td class="num">{currency.format(m)}</td> });
            let units = p.measure().show(p.units);
            view! {
                <tr>
                    <td><a href=format!("/inventory/{}", p.product_id)>{p.name}</a></td>
                    <td class="num">{units}</td>
                    <td class="num">{currency.format(p.revenue)}</td>
                    {profit}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div>
            <h3>{title}</h3>
            <TableRegion label=format!("Top products {}", title.to_lowercase())>
                <table class="data">
                    <thead><tr>
                        <th scope="col">"Product"</th>
                        <th scope="col" class="num">"Units"</th>
                        <th scope="col" class="num">"Revenue"</th>
                        {manager.then(|| view! { <th scope="col" class="num">"Profit"</th> })}
                    </tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </TableRegion>
        </div>
    }
}

/// Products outside one of their limits, linking to each product.
#[component]
fn AlertTable(
    alerts: Alerts,
    /// The table's accessible name (its section's heading).
    label: &'static str,
    limit: &'static str,
    none: &'static str,
) -> impl IntoView {
    if alerts.rows.is_empty() {
        return Either::Left(view! { <p class="muted">{none}</p> });
    }
    // Totals are counted up to COUNT_CAP + 1.
    let more = (alerts.total > COUNT_CAP)
        .then(|| {
            format!(
                "and more than {} more in ",
                COUNT_CAP - alerts.rows.len() as i64
            )
        })
        .or_else(|| {
            let more = alerts.total - alerts.rows.len() as i64;
            (more > 0).then(|| format!("and {more} more in "))
        });
    let rows = alerts
        .rows
        .into_iter()
        .map(|a| {
            let measure = a.measure();
            view! {
                <tr>
                    <td><a href=format!("/inventory/{}", a.product_id)>{a.name}</a></td>
                    <td class="num">{measure.show(a.quantity)}</td>
                    <td class="num">{measure.show(a.limit)}</td>
                </tr>
            }
        })
        .collect_view();
    Either::Right(view! {
        <TableRegion label=label>
            <table class="data">
                <thead><tr>
                    <th scope="col">"Product"</th>
                    <th scope="col" class="num">"Quantity"</th>
                    <th scope="col" class="num">{limit}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </TableRegion>
        {more.map(|more| view! { <p class="muted">{more}<a href="/inventory">"Inventory"</a></p> })}
    })
}
