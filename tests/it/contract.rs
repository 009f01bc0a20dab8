//! The UI's contract (`ui/src/backend/contract.gen.ts`): the committed file is what the
//! command table generates now, it names every command, and what real commands answer
//! over a real ledger has the shape it declares (null where it says null, absent only
//! where it says optional, money as strings).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use storepos::commands::contract::{self, CONTRACT_PATH, REGENERATE};
use storepos::commands::{dispatch, names};
use storepos::services::setup::{init_store, InitOptions};

fn generated() -> String {
    contract::generate().unwrap_or_else(|e| panic!("the contract cannot be generated: {e}"))
}

fn committed() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(CONTRACT_PATH);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}; run `{REGENERATE}`", path.display()))
}

#[test]
fn committed_contract_is_fresh() {
    let (want, have) = (generated(), committed());
    if want != have {
        let line = want
            .lines()
            .zip(have.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(want.lines().count().min(have.lines().count()));
        panic!(
            "{CONTRACT_PATH} is stale (first difference at line {}): the Rust types changed. Run `{REGENERATE}` and commit the file.\n  generated: {:?}\n  committed: {:?}",
            line + 1,
            want.lines().nth(line).unwrap_or("<end of file>"),
            have.lines().nth(line).unwrap_or("<end of file>"),
        );
    }
}

/// The `Commands` map's rows: name → (request, response).
fn commands_map(text: &str) -> BTreeMap<String, (String, String)> {
    let start = text.find("export interface Commands {").expect("a Commands map");
    let body = &text[start..text[start..].find("\n}\n").map(|i| start + i).expect("end of Commands")];
    body.lines()
        .skip(1)
        .filter_map(|l| {
            let (name, rest) = l.trim().split_once(": { request: ")?;
            let (req, resp) = rest.split_once("; response: ")?;
            Some((name.to_string(), (req.to_string(), resp.trim_end_matches(" };").to_string())))
        })
        .collect()
}

#[test]
fn every_command_of_the_table_is_in_the_contract() {
    let map = commands_map(&committed());
    let table = names();
    for name in &table {
        assert!(
            map.contains_key(*name),
            "{name} is in the command table but not in {CONTRACT_PATH}; run `{REGENERATE}`"
        );
    }
    assert_eq!(map.len(), table.len(), "the contract lists commands the table does not have: run `{REGENERATE}`");
    // The point of the contract: no answer left as an untyped JSON value.
    for (name, (req, resp)) in &map {
        assert_ne!(resp, "JsonValue", "{name} answers an untyped value");
        assert_ne!(req, "JsonValue", "{name} takes an untyped value");
    }
}

#[test]
fn every_event_variant_is_in_the_contract() {
    let types = contract::event_types();
    assert_eq!(types, ["order_changed", "online_order", "sync", "print_job", "conflict", "device_revoked"]);
    let text = committed();
    for t in &types {
        assert!(text.contains(&format!("\"type\": \"{t}\"")), "event {t} missing from {CONTRACT_PATH}");
    }
    assert!(text.contains("export type Events = "));
}

/// One declared field: optional (`name?:`) and whether its type admits null.
#[derive(Debug)]
struct Field {
    optional: bool,
    nullable: bool,
    ty: String,
}

/// The top-level fields of `export type <name> = { … };` in the generated text.
fn fields_of(text: &str, name: &str) -> BTreeMap<String, Field> {
    let head = format!("export type {name} = {{");
    let start = text.find(&head).unwrap_or_else(|| panic!("no type {name} in the contract")) + head.len() - 1;
    // Drop doc comments, then split the outer object at depth-0 commas.
    let mut src = String::new();
    let mut rest = &text[start..];
    while let Some(i) = rest.find("/**") {
        src.push_str(&rest[..i]);
        rest = &rest[i + rest[i..].find("*/").unwrap() + 2..];
    }
    src.push_str(rest);
    let mut depth = 1;
    let mut parts = Vec::new();
    let mut cur = String::new();
    for ch in src[1..].chars() {
        match ch {
            '{' | '<' | '(' | '[' => depth += 1,
            '}' | '>' | ')' | ']' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            parts.push(cur);
            break;
        }
        if depth == 1 && ch == ',' {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(ch);
        }
    }
    parts
        .into_iter()
        .filter_map(|p| {
            let (k, ty) = p.trim().split_once(": ")?;
            let (k, optional) = k.strip_suffix('?').map(|k| (k, true)).unwrap_or((k, false));
            let ty = ty.trim().to_string();
            Some((
                k.trim_matches('"').to_string(),
                Field { optional, nullable: ty.split(" | ").any(|t| t == "null"), ty },
            ))
        })
        .collect()
}

/// What serde wrote agrees with the declaration: no undeclared key, no missing required
/// key, null only where the type admits it, money as a string.
fn conforms(text: &str, ty: &str, v: &Value, what: &str) {
    let fields = fields_of(text, ty);
    let obj = v.as_object().unwrap_or_else(|| panic!("{what}: {ty} is an object, got {v}"));
    for k in obj.keys() {
        assert!(fields.contains_key(k), "{what}: key {k} is not declared in {ty}");
    }
    for (k, f) in &fields {
        match obj.get(k) {
            None => assert!(f.optional, "{what}: {ty}.{k} is declared required but serde left it out"),
            Some(Value::Null) => assert!(f.nullable, "{what}: {ty}.{k} is null but declared `{}`", f.ty),
            Some(x) if f.ty.starts_with("Money") => {
                assert!(x.is_string(), "{what}: {ty}.{k} money is not a string: {x}")
            }
            Some(_) => {}
        }
    }
}

#[test]
fn real_answers_have_the_declared_shape() {
    let text = committed();
    let dir = tempfile::tempdir().unwrap();
    let app = init_store(dir.path(), &InitOptions::default()).unwrap();
    let login = dispatch(&app, None, false, "session_login", json!({ "username": "manager", "pin": "9999" })).unwrap();
    conforms(&text, "LoginResponse", &login, "session_login");
    let tok = login["token"].as_str().unwrap().to_string();
    let call = |name: &str, body: Value| dispatch(&app, Some(&tok), false, name, body).unwrap();

    conforms(&text, "SessionInfo", &call("session_get", json!({})), "session_get");
    conforms(&text, "SettingsView", &call("settings_get", json!({})), "settings_get");
    conforms(&text, "ShiftView", &call("shift_open", json!({ "float": "100" })), "shift_open");
    let products = call("catalog_product_list", json!({}));
    conforms(&text, "Product", &products[0], "catalog_product_list");
    let with_code =
        products.as_array().unwrap().iter().find(|p| p["barcode"].is_string()).expect("a product with a barcode");
    let hit = call("catalog_barcode_get", json!({ "barcode": with_code["barcode"] }));
    conforms(&text, "BarcodeHit", &hit, "catalog_barcode_get");

    let order = call("sale_create", json!({ "lines": [{ "product_id": products[0]["id"], "quantity": 2 }] }));
    conforms(&text, "Order", &order, "sale_create");
    conforms(&text, "OrderLine", &order["lines"][0], "sale_create line");
    let paid = call("sale_cash_pay", json!({ "client_ref": order["client_ref"], "tendered": "500" }));
    conforms(&text, "PayCashResponse", &paid, "sale_cash_pay");
    let list = call("order_list", json!({}));
    conforms(&text, "OrderListResponse", &list, "order_list");
    // A listed order carries no lines: the key is absent, which the type must allow.
    assert!(list["orders"][0].get("lines").is_none());
    conforms(&text, "Order", &list["orders"][0], "order_list row");
    conforms(&text, "DayStats", &call("stats_day_get", json!({ "day": order["business_day"] })), "stats_day_get");
    conforms(&text, "SyncStatus", &call("sync_status_get", json!({})), "sync_status_get");
    conforms(&text, "LanStatus", &call("lan_status_get", json!({})), "lan_status_get");
    assert!(text.contains("export type Ack = Record<symbol, never>;"));
    assert_eq!(call("session_logout", json!({})), json!({}), "session_logout answers an Ack");

    let err = dispatch(&app, None, false, "order_list", json!({})).unwrap_err();
    conforms(&text, "CommandError", &serde_json::to_value(&err).unwrap(), "an error");
}
