//! `afregning orders` as a provider system and the authority use it, against the demo's quarter
//! served by `afregning up` with the demo's tokens: a provider lists, follows and acknowledges
//! its own orders with its citizens' CPR numbers; another provider is refused; the authority
//! lists what is not acknowledged.

mod common;

use std::process::{Command, Output};

use afregning::quarter::{TOKENS, UPSTREAM};
use common::{BIN, text, up_with};

/// A command as the holder of `token`.
fn as_token(urls: &[String; 3], token: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["--visitation", &urls[0], "--settlement", &urls[1], "--budget", &urls[2]])
        .args(["--token", token])
        .args(args)
        .env_remove("AFREGNING_TOKEN")
        .env_remove("AFREGNING_LANG")
        .output()
        .expect("run afregning")
}

fn token_of(principal: &str) -> &'static str {
    TOKENS.iter().find(|(_, p)| *p == principal).map(|(t, _)| *t).unwrap()
}

#[tokio::test]
async fn a_provider_works_from_its_orders_and_the_authority_sees_what_is_unacknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Command::new(BIN).args(["demo", "--keep"]).arg(dir.path()).output().unwrap();
    assert!(demo.status.success(), "demo failed: {}", text(&demo).1);
    let (out, _) = text(&demo);
    assert!(out.contains("henter 13 bestillinger"), "{out}");

    let tokens: Vec<String> = TOKENS.iter().map(|(t, p)| format!("{t} = \"{p}\"")).collect();
    let env = [
        ("AFREGNING_AUTH_TOKENS", format!("{{ {} }}", tokens.join(", "))),
        ("AFREGNING_SETTLEMENT_UPSTREAM_TOKEN", UPSTREAM[1].unwrap().to_owned()),
        ("AFREGNING_BUDGET_UPSTREAM_TOKEN", UPSTREAM[2].unwrap().to_owned()),
    ];
    let (mut suite, urls, _cockpit) = up_with(dir.path(), &env).await;
    let pleje = token_of("provider:prv_plejegruppen");
    let nord = token_of("provider:prv_nord");

    // Plejegruppen's one grant, G1 for citizen A: decided, then revisited in May; both orders
    // were acknowledged in the demo, with A's CPR number shown the Danish way.
    let list = as_token(&urls, pleje, &["orders", "list"]);
    let (out, err) = text(&list);
    assert!(list.status.success(), "{err}");
    assert!(out.contains("010140-1111"), "{out}");
    assert!(out.contains("ny bevilling") && out.contains("revisiteret"), "{out}");
    assert!(out.contains("personal_care") && out.contains("180") && out.contains("240"), "{out}");
    assert!(out.contains("01.01.2026 –"), "valid from the grant's start: {out}");
    assert!(!out.contains("0202402222"), "no other provider's citizen: {out}");
    let numbers: Vec<String> = out
        .lines()
        .filter_map(|l| l.trim_start_matches('│').split('┆').next().map(str::trim))
        .filter(|w| w.parse::<u64>().is_ok())
        .map(str::to_owned)
        .collect();
    assert_eq!(numbers.len(), 2, "{out}");
    let unacknowledged = as_token(&urls, pleje, &["orders", "list", "--unacknowledged"]);
    assert!(!text(&unacknowledged).0.contains("010140-1111"), "{}", text(&unacknowledged).0);

    // Following prints one line per order; --once stops when caught up; --from skips earlier ones.
    let follow = as_token(&urls, pleje, &["orders", "follow", "--once"]);
    let (out, err) = text(&follow);
    assert!(follow.status.success(), "{err}");
    assert_eq!(out.lines().filter(|l| l.starts_with("Bestilling ")).count(), 2, "{out}");
    assert!(out.contains("CPR-nr. 010140-1111") && out.contains("min./uge"), "{out}");
    let later = as_token(&urls, pleje, &["orders", "follow", "--once", "--from", &numbers[1]]);
    let (out, _) = text(&later);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with(&format!("Bestilling {}: revisiteret", numbers[1])), "{out}");

    // Acknowledging again shows the first acknowledgement; another provider is refused.
    let again = as_token(&urls, pleje, &["orders", "acknowledge", &numbers[0]]);
    let (out, err) = text(&again);
    assert!(again.status.success(), "{err}");
    assert!(
        out.contains(&format!("Bestilling {} er kvitteret", numbers[0])) && out.contains("af provider:prv_plejegruppen"),
        "{out}"
    );
    let foreign = as_token(&urls, nord, &["orders", "acknowledge", &numbers[0]]);
    let (_, err) = text(&foreign);
    assert_eq!(foreign.status.code(), Some(1), "{err}");
    assert!(err.contains("adgang nægtet"), "{err}");

    // The authority: nothing unacknowledged, in Danish and English.
    let ehr = token_of("ehr:nexus");
    let none = as_token(&urls, ehr, &["orders", "unacknowledged", "--older-than", "0"]);
    assert!(text(&none).0.contains("0 bestillinger er ikke kvitteret"), "{:?}", text(&none));
    let english = as_token(&urls, ehr, &["--lang", "en", "orders", "unacknowledged"]);
    assert!(text(&english).0.contains("0 orders are not acknowledged"), "{:?}", text(&english));
    // A provider may not list the authority's view.
    let refused = as_token(&urls, pleje, &["orders", "unacknowledged"]);
    assert_eq!(refused.status.code(), Some(1));
    suite.kill().await.unwrap();
}
