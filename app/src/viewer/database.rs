//! File → Open from database…: connect to PostgreSQL (the URL from `--database-url`,
//! `DATABASE_URL` or the config dir's `database.json`, which never holds a password; the
//! password is asked for, kept in memory only and never shown), browse the stored rounds newest
//! first, a page at a time, filtered by dates, map, round number and part of a player's name,
//! and open one: it loads off the main thread and opens like a round from a folder.

use std::path::PathBuf;
use std::sync::Arc;

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use chrono::NaiveDate;
use proxviz_store::{RoundFilter, RoundPage, Store, StoredRound, redact_in};

use super::state::{UiPass, Windows};
use crate::scene::jobs::Job;
use crate::scene::library::{Library, Source};

/// Rounds per page of the browser.
pub const PAGE: i64 = 50;

/// A connection to the database, shared by the browser, round loading and the season view.
#[derive(Clone)]
pub struct Client {
    rt: Arc<tokio::runtime::Runtime>,
    /// The pool.
    pub store: Store,
    /// The whole URL, password included: in memory only.
    url: String,
}

impl Client {
    /// Connects for reading.
    fn connect(url: String) -> Result<(Self, Vec<String>), String> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| format!("starting the database client: {e}"))?;
        let hide = |e: proxviz_store::StoreError| redact_in(&e.to_string(), &url);
        let store = rt.block_on(Store::connect_read(&url)).map_err(hide)?;
        let maps = rt.block_on(store.maps()).map_err(hide)?;
        Ok((Self { rt: Arc::new(rt), store, url }, maps))
    }

    /// Runs `f` on the client's runtime (call it from a job's thread); errors without password.
    pub fn run<T, F>(&self, f: impl FnOnce(Store) -> F) -> Result<T, String>
    where
        F: Future<Output = Result<T, proxviz_store::StoreError>>,
    {
        self.rt.block_on(f(self.store.clone())).map_err(|e| redact_in(&e.to_string(), &self.url))
    }

    /// The whole URL (for opening a round, or a child export through its environment).
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// The browser's filters as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrowserFilter {
    /// First date, `YYYY-MM-DD` or empty.
    pub from: String,
    /// Last date.
    pub to: String,
    /// Map, empty for any.
    pub map: String,
    /// Round 1 or 2.
    pub round: Option<i32>,
    /// Part of a player's name.
    pub player: String,
}

/// A date field: empty is none, anything else must be a date.
pub fn parse_date(text: &str) -> Result<Option<NaiveDate>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse().map(Some).map_err(|_| format!("{t:?} is not a date (YYYY-MM-DD)"))
}

impl BrowserFilter {
    /// The store's filter, or what is wrong with a field.
    pub fn to_filter(&self) -> Result<RoundFilter, String> {
        Ok(RoundFilter {
            from: parse_date(&self.from)?,
            to: parse_date(&self.to)?,
            map: Some(self.map.trim().to_owned()).filter(|m| !m.is_empty()),
            round_number: self.round,
            player: Some(self.player.trim().to_owned()).filter(|p| !p.is_empty()),
        })
    }
}

/// A connection and the maps of its rounds.
type Connected = (Client, Vec<String>);

/// A page being fetched: the filter, the first row, the job.
type PageQuery = (RoundFilter, i64, Job<Result<RoundPage, String>>);

/// The database window's state.
#[derive(Resource, Default)]
pub struct Database {
    /// The URL as shown and saved: never with a password.
    pub url: String,
    /// The password: in memory only.
    password: String,
    /// Connected.
    pub client: Option<Client>,
    connecting: Option<Job<Result<Connected, String>>>,
    /// Maps of the stored rounds.
    pub maps: Vec<String>,
    /// Why connecting or a query failed.
    pub error: Option<String>,
    /// The filters as typed.
    pub filter: BrowserFilter,
    /// First row of the page shown.
    pub offset: i64,
    /// The page shown.
    pub page: Option<RoundPage>,
    shown: Option<(RoundFilter, i64)>,
    query: Option<PageQuery>,
    file: Option<PathBuf>,
    /// Connect as soon as the window opens (a URL came with a password).
    auto_connect: bool,
    /// What went wrong reading the saved URL (a damaged file: none saved).
    pub note: Option<String>,
}

/// The URL without any password (what is shown and saved), and the password it had.
pub fn split_password(url: &str) -> (String, Option<String>) {
    let (base, query) = url.split_once('?').map_or((url, None), |(m, q)| (m, Some(q)));
    let mut password = None;
    let mut main = base.to_owned();
    if let Some((scheme, rest)) = base.split_once("://")
        && let Some((userinfo, host)) = rest.rsplit_once('@')
        && let Some((user, pw)) = userinfo.split_once(':')
    {
        password = Some(percent_decode(pw));
        main = format!("{scheme}://{user}@{host}");
    }
    let mut kept = Vec::new();
    for p in query.into_iter().flat_map(|q| q.split('&')) {
        match p.split_once('=') {
            Some((k, v)) if k.eq_ignore_ascii_case("password") => password = Some(percent_decode(v)),
            _ if !p.is_empty() => kept.push(p),
            _ => {}
        }
    }
    if !kept.is_empty() {
        main.push('?');
        main.push_str(&kept.join("&"));
    }
    (main, password)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `url` (without a password) with `password` put in (percent-encoded): after the user name,
/// or as a query parameter when the URL names no user.
pub fn with_password(url: &str, password: &str) -> String {
    if password.is_empty() {
        return url.to_owned();
    }
    let encoded: String = password
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let (base, query) = url.split_once('?').map_or((url, None), |(m, q)| (m, Some(q)));
    if let Some((scheme, rest)) = base.split_once("://")
        && let Some((user, host)) = rest.rsplit_once('@')
    {
        let q = query.map(|q| format!("?{q}")).unwrap_or_default();
        return format!("{scheme}://{user}:{encoded}@{host}{q}");
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}password={encoded}")
}

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Saved {
    url: String,
}

impl Database {
    /// The URL given (`--database-url` / `DATABASE_URL`), else the one saved in `file`.
    pub fn load(given: Option<String>, file: Option<PathBuf>) -> Self {
        let (saved, note) = crate::scene::dirs::read_settings::<Option<Saved>>(file.as_deref());
        let saved = saved.map(|s| split_password(&s.url).0);
        // A URL given (flag or environment) connects as soon as the browser opens or a stored
        // round is open (the season view uses it); a saved one waits for the password.
        let auto_connect = given.is_some();
        let (url, password) = match &given {
            Some(g) => split_password(g),
            None => (saved.unwrap_or_default(), None),
        };
        Self { url, password: password.unwrap_or_default(), file, auto_connect, note, ..Self::default() }
    }

    /// Saves the URL, without its password.
    fn save(&self) -> std::io::Result<()> {
        let Some(file) = &self.file else { return Ok(()) };
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text =
            serde_json::to_vec_pretty(&Saved { url: split_password(&self.url).0 }).map_err(std::io::Error::other)?;
        let tmp = file.with_extension("json.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(tmp, file)
    }

    /// Waiting for the server (connecting or a page).
    pub fn busy(&self) -> bool {
        self.connecting.is_some() || self.query.is_some()
    }

    /// Starts connecting with the URL and password typed.
    fn connect(&mut self) {
        let (url, in_url) = split_password(&self.url);
        if let Some(pw) = in_url {
            // A password pasted into the URL moves to the password field.
            self.password = pw;
            self.url = url.clone();
        }
        let full = with_password(&url, &self.password);
        self.error = None;
        self.client = None;
        self.page = None;
        self.shown = None;
        self.connecting = Some(Job::once("database connect", move || Client::connect(full)));
    }

    /// Takes finished connections and queries; starts the query the filters ask for.
    fn poll(&mut self) {
        if let Some(answer) = self.connecting.as_ref().and_then(Job::poll_once) {
            self.connecting = None;
            match answer.and_then(|r| r) {
                Ok((client, maps)) => {
                    self.client = Some(client);
                    self.maps = maps;
                    if let Err(e) = self.save() {
                        warn!("cannot save the database URL: {e}");
                    }
                }
                Err(e) => self.error = Some(e),
            }
        }
        if let Some((filter, offset, job)) = &self.query
            && let Some(answer) = job.poll_once()
        {
            let key = (filter.clone(), *offset);
            self.query = None;
            match answer.and_then(|r| r) {
                Ok(page) => {
                    self.page = Some(page);
                    self.shown = Some(key);
                    self.error = None;
                }
                Err(e) => {
                    self.error = Some(e);
                    self.shown = Some(key);
                }
            }
        }
        let Some(client) = &self.client else { return };
        let filter = match self.filter.to_filter() {
            Ok(f) => f,
            Err(e) => {
                self.error = Some(e);
                return;
            }
        };
        let wanted = (filter, self.offset);
        if self.query.is_some() || self.shown.as_ref() == Some(&wanted) {
            return;
        }
        let (filter, offset) = wanted;
        let c = client.clone();
        let f = filter.clone();
        let job = Job::once("round browser", move || c.run(|s| async move { s.round_page(&f, offset, PAGE).await }));
        self.query = Some((filter, offset, job));
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Database>().add_systems(EguiPrimaryContextPass, database_ui.in_set(UiPass::Overlays));
}

/// The Database window: connection, filters, the page of rounds.
fn database_ui(
    mut contexts: EguiContexts,
    mut windows: ResMut<Windows>,
    mut db: ResMut<Database>,
    mut library: ResMut<Library>,
) -> Result {
    let _probe = crate::scene::timing::scope();
    let stored_round_open = matches!(library.source, Some(Source::Database { .. }));
    if db.auto_connect && (windows.database || stored_round_open) {
        db.auto_connect = false;
        db.connect();
    }
    if db.connecting.is_some() || db.query.is_some() || db.client.is_some() {
        db.poll();
    }
    if !windows.database {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let mut open = true;
    let mut open_round = None;
    let db = &mut *db;
    egui::Window::new("Open from database").open(&mut open).default_width(760.0).show(&ctx, |ui| {
        egui::Grid::new("db_connection").num_columns(2).show(ui, |ui| {
            ui.label("server");
            ui.add(
                egui::TextEdit::singleline(&mut db.url)
                    .hint_text("postgres://user@host:5432/et_stats")
                    .desired_width(420.0),
            );
            ui.end_row();
            ui.label("password");
            ui.horizontal(|ui| {
                let field = ui.add(egui::TextEdit::singleline(&mut db.password).password(true).desired_width(200.0));
                let go =
                    ui.add_enabled(db.connecting.is_none() && !db.url.trim().is_empty(), egui::Button::new("Connect"));
                if go.clicked() || (field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))) {
                    db.connect();
                }
                if db.connecting.is_some() {
                    ui.spinner();
                    ui.weak("connecting…");
                } else if let Some(c) = &db.client {
                    ui.weak(format!("connected to {}", c.store.shown_url()));
                }
            });
            ui.end_row();
        });
        ui.weak("The password is kept in memory only; the server's address is saved without it.");
        if let Some(e) = &db.error {
            ui.colored_label(egui::Color32::from_rgb(240, 120, 100), e);
        }
        if db.client.is_none() {
            return;
        }
        ui.separator();
        let before = db.filter.clone();
        ui.horizontal_wrapped(|ui| {
            ui.label("from");
            ui.add(egui::TextEdit::singleline(&mut db.filter.from).hint_text("YYYY-MM-DD").desired_width(90.0));
            ui.label("to");
            ui.add(egui::TextEdit::singleline(&mut db.filter.to).hint_text("YYYY-MM-DD").desired_width(90.0));
            ui.label("map");
            let label = if db.filter.map.is_empty() { "any".to_owned() } else { db.filter.map.clone() };
            egui::ComboBox::from_id_salt("db_map").selected_text(label).show_ui(ui, |ui| {
                ui.selectable_value(&mut db.filter.map, String::new(), "any");
                for m in &db.maps {
                    ui.selectable_value(&mut db.filter.map, m.clone(), m);
                }
            });
            ui.label("round");
            ui.selectable_value(&mut db.filter.round, None, "any");
            ui.selectable_value(&mut db.filter.round, Some(1), "1");
            ui.selectable_value(&mut db.filter.round, Some(2), "2");
            ui.label("player");
            ui.add(egui::TextEdit::singleline(&mut db.filter.player).hint_text("part of a name").desired_width(120.0));
        });
        if db.filter != before {
            db.offset = 0;
        }
        let total = db.page.as_ref().map_or(0, |p| p.total);
        ui.horizontal(|ui| {
            if ui.add_enabled(db.offset > 0, egui::Button::new("◀ newer")).clicked() {
                db.offset = (db.offset - PAGE).max(0);
            }
            if ui.add_enabled(db.offset + PAGE < total, egui::Button::new("older ▶")).clicked() {
                db.offset += PAGE;
            }
            match &db.page {
                Some(p) if p.total > 0 => {
                    let total = if p.total > proxviz_store::PAGE_COUNT_CAP {
                        format!("more than {}", proxviz_store::PAGE_COUNT_CAP)
                    } else {
                        p.total.to_string()
                    };
                    ui.label(format!("{}–{} of {total} rounds", db.offset + 1, db.offset + p.rounds.len() as i64));
                }
                Some(_) => {
                    ui.label("no rounds match");
                }
                None => {}
            }
            if db.query.is_some() {
                ui.spinner();
            }
        });
        let Some(page) = &db.page else { return };
        egui::ScrollArea::vertical().max_height(420.0).show(ui, |ui| {
            egui::Grid::new("db_rounds").striped(true).num_columns(10).show(ui, |ui| {
                for h in StoredRound::HEADINGS {
                    ui.strong(h);
                }
                ui.end_row();
                for r in &page.rounds {
                    for cell in r.cells() {
                        ui.label(cell);
                    }
                    if ui.button("Open").clicked() {
                        open_round = Some(r.id);
                    }
                    ui.end_row();
                }
            });
        });
    });
    if let (Some(id), Some(client)) = (open_round, &db.client) {
        library.open_database(client.url().to_owned(), id);
    }
    windows.database = open;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_come_out_of_urls_in_either_form_and_go_back_in_as_a_parameter() {
        assert_eq!(
            split_password("postgres://et_bot:s%40cret@db:5432/et_stats"),
            ("postgres://et_bot@db:5432/et_stats".to_owned(), Some("s@cret".to_owned()))
        );
        assert_eq!(
            split_password("postgres://db/et?user=et_bot&password=pw&sslmode=require"),
            ("postgres://db/et?user=et_bot&sslmode=require".to_owned(), Some("pw".to_owned()))
        );
        assert_eq!(split_password("postgres://et_bot@db/et"), ("postgres://et_bot@db/et".to_owned(), None));
        assert_eq!(with_password("postgres://et_bot@db/et", "a b&c"), "postgres://et_bot:a%20b%26c@db/et");
        assert_eq!(with_password("postgres://db/et?user=u", "p@"), "postgres://db/et?user=u&password=p%40");
        assert_eq!(with_password("postgres://db/et?user=u", ""), "postgres://db/et?user=u");
    }

    #[test]
    fn the_saved_url_never_holds_the_password() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("database.json");
        let mut db = Database::load(Some("postgres://et_bot:s3cret@db/et_stats".into()), Some(file.clone()));
        assert_eq!((db.url.as_str(), db.password.as_str()), ("postgres://et_bot@db/et_stats", "s3cret"));
        db.url = "postgres://et_bot@db/et_stats?password=s3cret".into();
        db.save().expect("saves");
        let text = std::fs::read_to_string(&file).expect("saved");
        assert!(!text.contains("s3cret") && text.contains("postgres://et_bot@db/et_stats"), "{text}");
        let again = Database::load(None, Some(file));
        assert_eq!((again.url.as_str(), again.password.as_str()), ("postgres://et_bot@db/et_stats", ""));
    }

    #[test]
    fn filters_are_checked_before_they_reach_the_server() {
        let f =
            BrowserFilter { from: "2026-01-02".into(), player: " fritz ".into(), round: Some(2), ..Default::default() };
        let r = f.to_filter().expect("valid");
        assert_eq!(
            (r.from, r.player.as_deref(), r.round_number, r.map),
            ("2026-01-02".parse().ok(), Some("fritz"), Some(2), None)
        );
        let err = BrowserFilter { to: "yesterday".into(), ..Default::default() }.to_filter().expect_err("no date");
        assert!(err.contains("yesterday"), "{err}");
    }
}
