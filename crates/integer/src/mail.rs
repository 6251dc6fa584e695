//! E-mail for notifications. Every few seconds an instance claims a batch
//! from the outbox in the database (`integer_store::mail_outbox`), writes
//! each mail and hands it to the SMTP server, then records the result, so
//! that several instances can send side by side and nothing is lost.
//!
//! A mail says only that something waits or was decided, with a link to
//! sign in and read it: never the content of a declaration, the names of
//! others, or amounts. The recipient's language is not known, so every mail
//! is in Dutch with English below.

use crate::config::{SmtpConfig, SmtpTls};
use anyhow::{Context, bail};
use integer_store::Store;
use integer_store::mail_outbox::{self, AfterFailure, OutboxRules, PendingMail};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// What the background loop does: send, or (with e-mail off) only give up
/// notifications too old to mail, so that the pending ones stay few.
pub struct MailSettings {
    pub rules: OutboxRules,
    pub sender: Option<Sender>,
    pub poll: Duration,
}

/// The SMTP connection settings and what every mail shares.
pub struct Sender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    base_url: String,
}

impl MailSettings {
    /// E-mail off, with the default rules (`integer demo`).
    pub fn off() -> MailSettings {
        MailSettings {
            rules: OutboxRules::default(),
            sender: None,
            poll: Duration::from_secs(600),
        }
    }

    /// Checks the `[smtp]` section; a mistake stops the server at start
    /// rather than losing mails later.
    pub fn from_config(c: &SmtpConfig) -> anyhow::Result<MailSettings> {
        if c.max_attempts < 1 || c.retry_seconds < 1 || c.max_age_hours < 1 {
            bail!(
                "smtp: max_attempts, retry_seconds en max_age_hours moeten positief zijn / \
                 must be positive"
            );
        }
        let rules = OutboxRules {
            max_attempts: c.max_attempts,
            first_retry_secs: c.retry_seconds,
            max_retry_secs: c.retry_seconds.max(3600),
            max_age_secs: c.max_age_hours * 3600,
            batch: 10,
            // A claim outlives a batch of slow conversations.
            lease_secs: (10 * 2 * i64::try_from(c.timeout_seconds).unwrap_or(3600)).max(300),
        };
        if !c.enabled {
            return Ok(MailSettings {
                rules,
                ..MailSettings::off()
            });
        }
        Ok(MailSettings {
            rules,
            sender: Some(Sender::new(c)?),
            poll: Duration::from_secs(c.poll_seconds.max(1)),
        })
    }
}

impl Sender {
    fn new(c: &SmtpConfig) -> anyhow::Result<Sender> {
        if c.host.trim().is_empty() {
            bail!("smtp.host ontbreekt / smtp.host is missing");
        }
        let from: Mailbox = c.from.parse().with_context(|| {
            format!(
                "smtp.from '{}': geen geldig e-mailadres / not a valid address",
                c.from
            )
        })?;
        let base_url = c.base_url.trim_end_matches('/').to_string();
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
            bail!(
                "smtp.base_url moet met https:// beginnen (het adres van Integer voor de links) / \
                 must start with https:// (Integer's address for the links)"
            );
        }
        let with_password = !c.username.is_empty();
        if with_password && c.tls == SmtpTls::None {
            bail!(
                "smtp: een wachtwoord gaat niet onversleuteld over het netwerk; kies tls = \"starttls\" \
                 of \"tls\" / a password is not sent unencrypted; choose tls = \"starttls\" or \"tls\""
            );
        }
        let builder = match c.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&c.host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&c.host)
                .context("smtp.host")?,
            SmtpTls::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&c.host).context("smtp.host")?
            }
        };
        let mut builder = builder
            .port(c.port)
            .timeout(Some(Duration::from_secs(c.timeout_seconds.max(1))));
        if with_password {
            builder = builder.credentials(Credentials::new(
                c.username.clone(),
                c.password.expose().to_string(),
            ));
        }
        Ok(Sender {
            transport: builder.build(),
            from,
            base_url,
        })
    }

    fn message(&self, mail: &PendingMail) -> anyhow::Result<Message> {
        let to: lettre::Address = mail
            .email
            .parse()
            .context("ongeldig adres van de ontvanger / invalid recipient address")?;
        let letter = compose(mail, &self.base_url);
        Ok(Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(letter.subject)
            .message_id(None)
            .header(ContentType::TEXT_PLAIN)
            // RFC 3834: no out-of-office answers to an automatic message.
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".to_string(),
            ))
            .body(letter.body)?)
    }
}

/// The subject and text of one mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub body: String,
}

/// (subject, Dutch line, English line) per notification kind. `{org}` is
/// the organisation's name.
fn texts(kind: &str) -> (&'static str, &'static str, &'static str) {
    match kind {
        "declaration.to_decide" => (
            "Integer: er wacht een melding op uw besluit / a declaration waits for your decision",
            "Er wacht een melding of aanvraag op uw besluit in Integer ({org}).",
            "A declaration or request waits for your decision in Integer ({org}).",
        ),
        "declaration.decided" => (
            "Integer: er is besloten over uw melding / a decision was made on your declaration",
            "Er is besloten over uw melding of aanvraag in Integer ({org}).",
            "A decision was made on your declaration or request in Integer ({org}).",
        ),
        "declaration.withdrawn" => (
            "Integer: een melding is ingetrokken / a declaration was withdrawn",
            "Een melding of aanvraag die op uw besluit wachtte, is ingetrokken in Integer ({org}).",
            "A declaration or request that waited for your decision was withdrawn in Integer ({org}).",
        ),
        "declaration.filed_for_you" => (
            "Integer: er is een melding voor u ingediend / a declaration was filed for you",
            "Er is namens u een melding of aanvraag ingediend in Integer ({org}).",
            "A declaration or request was filed on your behalf in Integer ({org}).",
        ),
        "publication.to_review" => (
            "Integer: uw nevenfunctie wordt openbaar gemaakt / your side activity will be published",
            "Uw functie is aangewezen: uw nevenfunctie wordt openbaar gemaakt in het register van {org}. Bekijk de tekst en corrigeer die zo nodig in Integer.",
            "Your function is designated: your side activity will be published in the register of {org}. Check the text in Integer and correct it if needed.",
        ),
        "publication.corrected" => (
            "Integer: de tekst van een openbare nevenfunctie is gecorrigeerd / a published side activity was corrected",
            "Een medewerker heeft de openbare tekst van een nevenfunctie gecorrigeerd die u goedkeurde in Integer ({org}).",
            "An employee corrected the public text of a side activity you approved in Integer ({org}).",
        ),
        k if k.starts_with("case.") => (
            "Integer: er is nieuws in een zaak van het meldpunt / news in a reporting-point case",
            "Er is nieuws in een zaak van het meldpunt van {org}.",
            "There is news in a reporting-point case of {org}.",
        ),
        _ => (
            "Integer: er is een nieuw bericht voor u / there is news for you",
            "Er is een nieuw bericht voor u in Integer ({org}).",
            "There is news for you in Integer ({org}).",
        ),
    }
}

/// Writes the mail for a claimed notification. It names the organisation
/// and links to the page; what the page shows needs a sign-in.
pub fn compose(mail: &PendingMail, base_url: &str) -> Letter {
    let (subject, nl, en) = texts(&mail.kind);
    // The name is the administrator's text; keep it on its line.
    let org: String = mail
        .org_name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let link = format!("{}{}", base_url.trim_end_matches('/'), mail.link_path());
    let body = format!(
        "{nl}\n\
         Lees het na het inloggen: {link}\n\
         \n\
         {en}\n\
         Sign in to read it: {link}\n\
         \n\
         -- \n\
         Dit bericht is automatisch verstuurd. Het bevat bewust niets van de inhoud.\n\
         This message was sent automatically. On purpose it contains nothing of the content.\n",
        nl = nl.replace("{org}", &org),
        en = en.replace("{org}", &org),
    );
    Letter {
        subject: subject.to_string(),
        body,
    }
}

/// The error and its causes, for the outbox's `mail_error` column.
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

/// Claims one batch and sends it; returns how many were sent.
async fn send_batch(store: &Store, sender: &Sender, rules: &OutboxRules) -> anyhow::Result<usize> {
    let batch = {
        let mut conn = store.conn().await?;
        mail_outbox::claim(&mut conn, rules, integer_store::now()).await?
    };
    let mut sent = 0;
    for mail in &batch {
        let result = match sender.message(mail) {
            Ok(message) => sender
                .transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| {
                    let permanent = e.is_permanent();
                    // The server's text may name the recipient: it goes to the
                    // outbox row, the log gets only the kind of failure.
                    let class = if permanent {
                        "permanent"
                    } else if e.is_transient() {
                        "transient"
                    } else if e.is_timeout() {
                        "timeout"
                    } else if e.is_tls() {
                        "tls"
                    } else {
                        "connection"
                    };
                    let code = e.status().map(|c| c.to_string()).unwrap_or_default();
                    (describe(&e), permanent, class, code)
                }),
            Err(e) => Err((format!("{e:#}"), true, "message", String::new())),
        };
        let mut conn = store.conn().await?;
        let now = integer_store::now();
        match result {
            Ok(()) => {
                if mail_outbox::mark_sent(&mut conn, mail, now).await? {
                    sent += 1;
                } else {
                    tracing::warn!(
                        notification = mail.id,
                        "mail sent after its claim expired; another instance may send it too"
                    );
                }
            }
            Err((error, permanent, class, code)) => {
                let after =
                    mail_outbox::record_failure(&mut conn, mail, &error, permanent, rules, now)
                        .await?;
                match after {
                    AfterFailure::RetryAfter(at) => tracing::warn!(
                        notification = mail.id,
                        attempt = mail.attempt,
                        class,
                        code,
                        retry_in_secs = at - now,
                        "sending mail failed; will retry"
                    ),
                    AfterFailure::GaveUp => tracing::error!(
                        notification = mail.id,
                        attempt = mail.attempt,
                        class,
                        code,
                        "sending mail failed; given up (error kept in notifications.mail_error)"
                    ),
                    AfterFailure::ClaimLost => tracing::warn!(
                        notification = mail.id,
                        class,
                        "sending mail failed after its claim expired"
                    ),
                }
            }
        }
    }
    if sent > 0 {
        tracing::info!(sent, "mail sent");
    }
    Ok(sent)
}

/// Starts the background loop of this instance.
pub fn spawn(store: Store, settings: MailSettings) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let result = match &settings.sender {
                Some(sender) => send_batch(&store, sender, &settings.rules)
                    .await
                    .map(|sent| sent as i64 == settings.rules.batch),
                None => expire_only(&store, &settings.rules).await.map(|_| false),
            };
            let full_batch = match result {
                Ok(full) => full,
                Err(e) => {
                    tracing::warn!(error = %e, "mail outbox: database unavailable");
                    false
                }
            };
            // A full batch suggests more is waiting: go on at once.
            if !full_batch {
                tokio::time::sleep(settings.poll).await;
            }
        }
    })
}

async fn expire_only(store: &Store, rules: &OutboxRules) -> anyhow::Result<()> {
    let mut conn = store.conn().await?;
    let now = integer_store::now();
    mail_outbox::expire(&mut conn, now - rules.max_age_secs, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use integer_domain::org::{OrgId, PersonId};

    fn pending(kind: &str) -> PendingMail {
        PendingMail {
            id: 7,
            org: OrgId(1),
            org_name: "Gemeente Maastricht".into(),
            person: PersonId(2),
            email: "mia@maastricht.nl".into(),
            kind: kind.into(),
            declaration: Some(42),
            attempt: 1,
            lease: 0,
        }
    }

    #[test]
    fn dutch_first_then_english_with_the_link() {
        let letter = compose(
            &pending("declaration.to_decide"),
            "https://integer.maastricht.nl/",
        );
        assert_eq!(
            letter.subject,
            "Integer: er wacht een melding op uw besluit / a declaration waits for your decision"
        );
        let nl = letter.body.find("Er wacht een melding").unwrap();
        let en = letter.body.find("A declaration or request waits").unwrap();
        assert!(nl < en, "{}", letter.body);
        assert!(letter.body.contains("(Gemeente Maastricht)"));
        assert_eq!(
            letter
                .body
                .matches("https://integer.maastricht.nl/verklaringen/42\n")
                .count(),
            2,
            "{}",
            letter.body
        );
    }

    #[test]
    fn every_kind_has_its_own_text_and_unknown_kinds_a_plain_one() {
        let kinds = [
            "declaration.to_decide",
            "declaration.decided",
            "declaration.withdrawn",
            "declaration.filed_for_you",
            "publication.to_review",
            "publication.corrected",
            "something.new",
        ];
        let subjects: std::collections::BTreeSet<String> = kinds
            .iter()
            .map(|k| compose(&pending(k), "https://x.nl").subject)
            .collect();
        assert_eq!(subjects.len(), kinds.len());
        for s in &subjects {
            assert!(s.starts_with("Integer: ") && s.contains(" / "), "{s}");
            assert!(s.is_ascii(), "{s}");
        }
    }

    #[test]
    fn an_organisation_name_cannot_add_lines() {
        let mut mail = pending("declaration.decided");
        mail.org_name = "Gemeente\r\nBcc: x@y.nl".into();
        let letter = compose(&mail, "https://x.nl");
        assert!(!letter.body.contains("\r"), "{}", letter.body);
        assert!(letter.body.contains("(Gemeente  Bcc: x@y.nl)"));
    }

    fn smtp(enabled: bool) -> SmtpConfig {
        SmtpConfig {
            enabled,
            host: "smtp.gemeente.nl".into(),
            port: 587,
            tls: SmtpTls::Starttls,
            username: String::new(),
            password: Default::default(),
            from: "Integer <integriteit@gemeente.nl>".into(),
            base_url: "https://integer.gemeente.nl".into(),
            poll_seconds: 5,
            timeout_seconds: 30,
            retry_seconds: 60,
            max_attempts: 8,
            max_age_hours: 72,
        }
    }

    #[test]
    fn mistakes_in_the_smtp_section_stop_the_start() {
        assert!(
            MailSettings::from_config(&smtp(true))
                .unwrap()
                .sender
                .is_some()
        );
        assert!(
            MailSettings::from_config(&smtp(false))
                .unwrap()
                .sender
                .is_none()
        );
        let bad = [
            SmtpConfig {
                host: " ".into(),
                ..smtp(true)
            },
            SmtpConfig {
                from: "not an address".into(),
                ..smtp(true)
            },
            SmtpConfig {
                base_url: "integer.gemeente.nl".into(),
                ..smtp(true)
            },
            SmtpConfig {
                tls: SmtpTls::None,
                username: "integer".into(),
                ..smtp(true)
            },
            SmtpConfig {
                max_attempts: 0,
                ..smtp(true)
            },
        ];
        for c in bad {
            assert!(MailSettings::from_config(&c).is_err(), "{c:?}");
        }
    }

    #[test]
    fn a_message_has_the_headers_of_an_automatic_mail() {
        let settings = MailSettings::from_config(&smtp(true)).unwrap();
        let sender = settings.sender.unwrap();
        let m = sender.message(&pending("declaration.to_decide")).unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        assert!(raw.contains("Auto-Submitted: auto-generated\r\n"), "{raw}");
        assert!(raw.contains("To: mia@maastricht.nl\r\n"), "{raw}");
        assert!(raw.contains("Message-ID: <"), "{raw}");
        let mut bad = pending("declaration.to_decide");
        bad.email = "not an address".into();
        assert!(sender.message(&bad).is_err());
    }
}
