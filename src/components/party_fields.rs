//! The party fields of the bill form (`Supplier`/`Customer`, `Phone`, `Address`). Plain fields
//! without JavaScript; inside the hydrated bill form, typing a name offers the known parties
//! (a `<datalist>` fed by [`suggest_parties`]) and a name that is a known party's fills its
//! phone and address, unless something else was typed there.

use crate::api::parties::suggest_parties;
use crate::domain::bill::BillKind;
use crate::domain::party::PartySuggestion;
use leptos::prelude::*;

/// What the form shows in its party fields, and the message beside each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartyTyped {
    pub name: String,
    pub phone: String,
    pub address: String,
    /// Messages beside `name`, `phone` and `address`.
    pub errors: [Option<String>; 3],
}

/// The three party fields of a bill of `kind`.
#[component]
pub fn PartyFields(kind: BillKind, typed: PartyTyped) -> impl IntoView {
    let label = if kind == BillKind::Purchase {
        "Supplier"
    } else {
        "Customer"
    };
    let PartyTyped {
        name,
        phone,
        address,
        errors: [name_error, phone_error, address_error],
    } = typed;
    let name_value = RwSignal::new(name.clone());
    let phone_value = RwSignal::new(phone.clone());
    let address_value = RwSignal::new(address.clone());
    // What the last fill put in: a field still holding it (or nothing) may be filled again.
    let filled = StoredValue::new((String::new(), String::new()));
    let known = RwSignal::new(Vec::<PartySuggestion>::new());
    let fill = move |party: &PartySuggestion| {
        let (last_phone, last_address) = filled.get_value();
        let free = |field: RwSignal<String>, last: &str| {
            field.with_untracked(|v| v.trim().is_empty() || v == last)
        };
        let phone = party.phone.clone().unwrap_or_default();
        let address = party.address.clone().unwrap_or_default();
        if free(phone_value, &last_phone) {
            phone_value.set(phone.clone());
        }
        if free(address_value, &last_address) {
            address_value.set(address.clone());
        }
        filled.set_value((phone, address));
    };
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        name_value.set(text.clone());
        let offered = known.with_untracked(|k| k.iter().find(|s| s.is_named_by(&text)).cloned());
        if let Some(party) = offered {
            fill(&party);
        }
        if text.trim().is_empty() {
            known.set(Vec::new());
            return;
        }
        leptos::task::spawn_local(async move {
            let Ok(found) = suggest_parties(text.clone(), kind.as_str().to_owned()).await else {
                return;
            };
            // A later keystroke has asked again: its answer counts, not this one.
            if name_value.get_untracked() != text {
                return;
            }
            if let Some(party) = found.iter().find(|s| s.is_named_by(&text)) {
                fill(party);
            }
            known.set(found);
        });
    };
    let message = |id: &'static str, text: Option<String>| {
        view! {
            <div id=format!("{id}-error")>
                {text.map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
        }
    };
    view! {
        <div class="field">
            <label for="party_name">{label}</label>
            <input
                id="party_name"
                name="party_name"
                type="text"
                list="party-suggestions"
                autocomplete="off"
                value=name
                prop:value=move || name_value.get()
                aria-describedby="party_name-error"
                on:input=on_input
            />
            {message("party_name", name_error)}
            <datalist id="party-suggestions">
                {move || {
                    known
                        .get()
                        .into_iter()
                        .map(|s| {
                            let note = s.phone.clone().unwrap_or_default();
                            view! { <option value=s.name>{note}</option> }
                        })
                        .collect_view()
                }}
            </datalist>
        </div>
        <div class="field">
            <label for="party_phone">"Phone"</label>
            <input
                id="party_phone"
                name="party_phone"
                type="tel"
                value=phone
                prop:value=move || phone_value.get()
                aria-describedby="party_phone-error"
                on:input=move |ev| phone_value.set(event_target_value(&ev))
            />
            {message("party_phone", phone_error)}
        </div>
        <div class="field">
            <label for="party_address">"Address"</label>
            <input
                id="party_address"
                name="party_address"
                type="text"
                value=address
                prop:value=move || address_value.get()
                aria-describedby="party_address-error"
                on:input=move |ev| address_value.set(event_target_value(&ev))
            />
            {message("party_address", address_error)}
        </div>
    }
}
