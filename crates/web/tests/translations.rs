//! Every text on a page comes from the translation files, in both
//! languages: the literal keys in the templates and the keys made from
//! codes (kinds, questions, verdicts, roles, ...).

use integer_domain::i18n::{Catalog, Lang};
use integer_domain::org::{EmploymentType, Role, UnitKind};
use integer_domain::policy::{Approver, Kind, Obligation, Verdict, answer_type, known_fields};

fn assert_known(key: &str) {
    let c = Catalog::bundled();
    for lang in Lang::ALL {
        assert!(c.has(lang, key), "{key} is missing in {}.toml", lang.code());
    }
}

#[test]
fn every_literal_key_in_the_templates_exists() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut found = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for part in text.split("l.t(\"").skip(1) {
            let key = part.split('"').next().unwrap();
            assert_known(key);
            found += 1;
        }
    }
    assert!(
        found > 100,
        "only {found} keys found: is the pattern still right?"
    );
}

#[test]
fn keys_made_from_codes_exist() {
    for role in Role::ALL {
        assert_known(role.label_key());
    }
    for e in EmploymentType::ALL {
        assert_known(e.label_key());
    }
    for u in [UnitKind::Directorate, UnitKind::Department, UnitKind::Team] {
        assert_known(u.label_key());
    }
    for k in Kind::ALL {
        assert_known(&format!("kind-{}", k.code()));
        assert_known(&format!("kind-{}-text", k.code()));
    }
    for field in known_fields() {
        if answer_type(field).is_some() && !integer_domain::policy::EMPLOYEE_FIELDS.contains(&field)
        {
            assert_known(&format!("q-{field}"));
            assert_known(&format!("q-{field}-help"));
        }
    }
    for item in integer_domain::policy::ITEMS {
        assert_known(&format!("item-{item}"));
    }
    assert_known("restricted_interest-none");
    for v in Verdict::ALL {
        assert_known(&format!("verdict-{}", v.code()));
    }
    for a in Approver::ALL {
        assert_known(&format!("approver-{}", a.code()));
    }
    for o in Obligation::ALL {
        assert_known(&format!("obligation-{}", o.code()));
    }
    for status in [
        "400", "401", "403", "404", "405", "409", "413", "500", "503",
    ] {
        assert_known(&format!("error-{status}"));
        assert_known(&format!("error-{status}-text"));
    }
}

#[test]
fn the_reporting_point_s_wbk_keys_exist() {
    use integer_domain::case::CorrectionState;
    use integer_domain::disclosure::DisclosureState;
    use integer_domain::meldpunt_texts::InfoTopic;
    for s in DisclosureState::ALL {
        assert_known(&format!("disclosure-state-{}", s.code()));
    }
    // What the reporter's mailbox shows of a request.
    for s in [
        DisclosureState::Asked,
        DisclosureState::Consented,
        DisclosureState::Refused,
        DisclosureState::Legal,
    ] {
        assert_known(&format!("mailbox-consent-{}", s.code()));
    }
    for s in CorrectionState::ALL {
        assert_known(&format!("minutes-correction-{}", s.code()));
        assert_known(&format!("mailbox-correction-{}", s.code()));
    }
    for t in InfoTopic::ALL {
        assert_known(&t.title_key());
    }
    for kind in [
        "case.identity_request",
        "case.identity_decided",
        "case.identity_answer",
        "case.identity_disclosed",
        "case.minutes_correction",
    ] {
        assert_known(&format!("message-{kind}"));
    }
    // The problems the domain's checks return.
    for key in [
        "disclosure-error-recipient",
        "disclosure-error-member",
        "disclosure-error-basis",
        "disclosure-error-ground",
        "disclosure-error-anonymous",
        "disclosure-error-decision",
        "disclosure-error-not-pending",
        "disclosure-error-not-asked",
        "disclosure-error-explanation",
        "disclosure-error-why-not",
        "disclosure-error-informing",
        "disclosure-error-answer",
        "meldpunt-info-error-both",
        "meldpunt-info-error-source-only",
        "minutes-error-decision",
    ] {
        assert_known(key);
    }
}
