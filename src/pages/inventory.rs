//! `/inventory`: the product table with search, sorting and pages. Searching is a plain GET form
//! without JavaScript, and live as you type once the search island has hydrated; the `Name` and
//! `Quantity` column headers are links that sort (and reverse) the table.

use crate::api::products::{list_products, ProductListing, PER_PAGE};
use crate::components::rows::{rows_asked, RowsPicker};
use crate::components::table::TableRegion;
use crate::components::viewer;
use crate::domain::product::ProductSort;
use crate::domain::{Product, StockLevel};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The product list.
#[component]
pub fn InventoryPage() -> impl IntoView {
    let query = use_query_map();
    let (search, page, sort) = query.with_untracked(|query| {
        (
            query.get("q").unwrap_or_default(),
            query
                .get("page")
                .and_then(|p| p.parse::<i64>().ok())
                .unwrap_or(1),
            ProductSort::parse(&query.get("sort").unwrap_or_default()),
        )
    });
    let rows = rows_asked(PER_PAGE);
    let listing = Resource::new(
        {
            let search = search.clone();
            move || (search.clone(), page, sort)
        },
        move |(q, page, sort)| {
            list_products(
                (!q.trim().is_empty()).then_some(q),
                Some(page),
                Some(sort.as_str().to_owned()),
                Some(rows),
            )
        },
    );
    view! {
        <Title text="Inventory"/>
        <div class="page-head">
            <h1>"Inventory"</h1>
            <div class="actions">
                <a class="button secondary" href=export_href(&search, sort) rel="external">"Export CSV"</a>
                {viewer::is_manager().then(|| view! {
                    <a class="button secondary" href="/inventory/import">"Import CSV"</a>
                })}
            </div>
            <RowsPicker path="/inventory" current=rows/>
        </div>
        <ProductSearch search=search.clone() sort rows/>
        // Live search replaces this region with the same region of the next address.
        <div id="inventory-results">
            <Suspense fallback=|| view! { <p class="muted">"Loading products…"</p> }>
                {move || {
                    let search = search.clone();
                    Suspend::new(async move {
                        match listing.await {
                            Ok(listing) => {
                                // A scanned or typed SKU/barcode goes straight to its product.
                                let exact = listing.page.products.iter().find(|p| {
                                    !search.trim().is_empty() && p.sku.as_deref() == Some(search.trim())
                                });
                                #[cfg(feature = "ssr")]
                                if let Some(product) = exact {
                                    leptos_axum::redirect(&format!("/inventory/{}", product.id));
                                    // A page render keeps its 200 unless told: make it a redirect.
                                    crate::components::status::set_status(302);
                                }
                                #[cfg(not(feature = "ssr"))]
                                let _ = exact;
                                Either::Left(view! { <ProductTable listing search sort rows/> })
                            }
                            Err(error) => Either::Right(view! { <p class="form-error" role="alert">{error.to_string()}</p> }),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}

/// The search form: a plain GET form to `/inventory`; hydrated, the table follows the typing
/// (the server renders the results, see [`crate::components::swap`]).
#[island]
fn ProductSearch(search: String, sort: ProductSort, rows: i64) -> impl IntoView {
    let on_input = move |ev: leptos::ev::Event| {
        let href = inventory_href(&event_target_value(&ev), sort, 1, rows);
        #[cfg(feature = "hydrate")]
        crate::components::swap::show_region_soon(href, "inventory-results");
        #[cfg(not(feature = "hydrate"))]
        let _ = href;
    };
    view! {
        <form action="/inventory" method="get" class="search" role="search">
            <label for="product-search">"Search products"</label>
            <input
                id="product-search"
                type="search"
                name="q"
                autocomplete="off"
                placeholder="Name, e.g. rice"
                value=search
                on:input=on_input
            />
            {(sort != ProductSort::Name)
                .then(|| view! { <input type="hidden" name="sort" value=sort.as_str()/> })}
            {(rows != PER_PAGE).then(|| view! { <input type="hidden" name="rows" value=rows/> })}
            <button type="submit" class="button secondary">"Search"</button>
        </form>
    }
}

/// The inventory's address for a search, an order, a page and rows per page (defaults left
/// out).
fn inventory_href(search: &str, sort: ProductSort, page: i64, rows: i64) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if !search.trim().is_empty() {
        query.append_pair("q", search);
    }
    if sort != ProductSort::Name {
        query.append_pair("sort", sort.as_str());
    }
    if page > 1 {
        query.append_pair("page", &page.to_string());
    }
    if rows != PER_PAGE {
        query.append_pair("rows", &rows.to_string());
    }
    match query.finish() {
        query if query.is_empty() => "/inventory".to_owned(),
        query => format!("/inventory?{query}"),
    }
}

/// The CSV of everything the search matches, in the table's order (see `server::http::exports`).
fn export_href(search: &str, sort: ProductSort) -> String {
    inventory_href(search, sort, 1, PER_PAGE).replacen("/inventory", "/inventory.csv", 1)
}

/// A column header that sorts by its column: ascending first, reversed when already ascending.
#[component]
fn SortHeader(
    label: &'static str,
    ascending: ProductSort,
    descending: ProductSort,
    current: ProductSort,
    search: String,
    rows: i64,
    #[prop(optional)] numeric: bool,
) -> impl IntoView {
    let (aria, arrow, next) = if current == ascending {
        ("ascending", "▲", descending)
    } else if current == descending {
        ("descending", "▼", ascending)
    } else {
        ("none", "", ascending)
    };
    view! {
        <th scope="col" class:num=numeric aria-sort=aria>
            <a href=inventory_href(&search, next, 1, rows) class="sort">
                {label}
                <span aria-hidden="true">{arrow}</span>
            </a>
        </th>
    }
}

/// The table of one page of products, with pagination links.
#[component]
fn ProductTable(
    listing: ProductListing,
    search: String,
    sort: ProductSort,
    rows: i64,
) -> impl IntoView {
    let ProductListing { page, currency } = listing;
    if page.products.is_empty() {
        let message = if search.trim().is_empty() {
            "No products yet. They appear here when you buy stock."
        } else {
            "No products match your search."
        };
        return Either::Left(view! { <p class="empty">{message}</p> });
    }
    let link = {
        let search = search.clone();
        move |n: i64| inventory_href(&search, sort, n, rows)
    };
    let summary = page.summary();
    let product_rows = page
        .products
        .into_iter()
        .map(|product| {
            // Per kg (per L) for loose goods kept in grams (millilitres).
            let measure = product.measure();
            let cost = product
                .average_cost
                .map(|c| measure.price(currency.format(c)));
            let price = product.listed_price().map_or_else(
                || crate::domain::product::NOT_SET.to_owned(),
                |p| measure.price(currency.format(p)),
            );
            view! { <ProductRow product cost price/> }
        })
        .collect_view();
    Either::Right(view! {
        // Tick products and `Print labels`: a GET form to the labels PDF.
        <form action="/labels.pdf" method="get" target="_blank" class="labels-form">
        <TableRegion label="Products">
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col"><span class="visually-hidden">"Select"</span></th>
                        <SortHeader
                            label="Name"
                            ascending=ProductSort::Name
                            descending=ProductSort::NameDesc
                            current=sort
                            search=search.clone()
                            rows
                        />
                        <SortHeader
                            label="Quantity"
                            ascending=ProductSort::Quantity
                            descending=ProductSort::QuantityDesc
                            current=sort
                            search=search.clone()
                            rows
                            numeric=true
                        />
                        {viewer::is_manager().then(|| view! { <th scope="col" class="num">"Cost price"</th> })}
                        <th scope="col" class="num">"Selling price"</th>
                    </tr>
                </thead>
                <tbody>{product_rows}</tbody>
            </table>
        </TableRegion>
        <div class="actions">
            <div class="field compact">
                <label for="label-copies">"Copies"</label>
                <input id="label-copies" name="copies" type="number" min="1" max="240" value="1" inputmode="numeric"/>
            </div>
            <button type="submit" class="button secondary">"Print labels"</button>
        </div>
        </form>
        <nav class="pager" aria-label="Pages">
            <span class="muted">{summary}</span>
            {(page.page > 1).then(|| view! { <a href=link(page.page - 1)>"Previous"</a> })}
            {page.has_next.then(|| view! { <a href=link(page.page + 1)>"Next"</a> })}
        </nav>
    })
}

#[component]
fn ProductRow(product: Product, cost: Option<String>, price: String) -> impl IntoView {
    let level = product.stock_level();
    let badge = level.label().map(|label| {
        let class = match level {
            StockLevel::OutOfStock => "badge danger",
            StockLevel::Low => "badge warn",
            _ => "badge info",
        };
        view! { <span class=class>{label}</span> }
    });
    let quantity = product.measure().show(product.quantity);
    view! {
        <tr>
            <td>
                <input type="checkbox" name="product" value=product.id id=format!("pick-{}", product.id)/>
                <label for=format!("pick-{}", product.id) class="visually-hidden">{format!("Select {}", product.name)}</label>
            </td>
            <td><a href=format!("/inventory/{}", product.id)>{product.name}</a></td>
            <td class="num">{quantity} " " {badge}</td>
            {cost.map(|cost| view! { <td class="num">{cost}</td> })}
            <td class="num">{price}</td>
        </tr>
    }
}
