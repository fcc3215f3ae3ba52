//! The page shell and the drawings: a layout with a skip link and a plain, high-contrast style
//! that reflows to phone width; the split as an SVG pie; the split over time as an SVG chart.

use maud::{DOCTYPE, Markup, html};
use peerstake_app::access::Account;

/// Colours for members in drawings, dark enough for white text and distinct for the eye.
const PALETTE: [&str; 8] = ["#1f5f99", "#b3461c", "#2f7d32", "#7b3fa0", "#8a6d00", "#0f7c7c", "#a31f52", "#4d4d4d"];

/// A member's colour.
pub fn colour(index: usize) -> &'static str {
    PALETTE.get(index % PALETTE.len()).copied().unwrap_or("#4d4d4d")
}

const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#111;background:#fff}
a{color:#0b4f8a}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f0a000;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px}
header{background:#14304f;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
header a{color:#fff}
header nav{margin-left:auto;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0}
h2{font-size:1.25rem;margin-top:1.5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ccc;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto}
form.stack label{display:block;margin-top:.75rem;font-weight:600}
form.stack input,form.stack select,form.stack textarea{display:block;width:100%;max-width:28rem;padding:.45rem;font:inherit;border:1px solid #555;border-radius:3px}
form.inline{display:inline}
button,.button{display:inline-block;margin-top:.75rem;padding:.5rem 1rem;font:inherit;background:#14304f;color:#fff;border:0;border-radius:3px;cursor:pointer;text-decoration:none}
button.secondary{background:#fff;color:#14304f;border:1px solid #14304f}
.error{color:#a00000;font-weight:600}
.field-error{color:#a00000;display:block}
.notice{background:#eef5ff;border-left:4px solid #1f5f99;padding:.5rem 1rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:1rem;padding:0;list-style:none}
.cards li{border:1px solid #bbb;border-radius:4px;padding:.75rem}
.split{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
.split svg{max-width:100%;height:auto}
.key{display:inline-block;width:.9rem;height:.9rem;margin-right:.35rem;vertical-align:middle}
.muted{color:#555}
.hint{color:#444;font-size:.9rem}
fieldset{border:1px solid #bbb;border-radius:4px;margin:.75rem 0 0;padding:.5rem .75rem;max-width:40rem}
legend{font-weight:600;padding:0 .25rem}
form.stack input[type=radio],form.stack input[type=checkbox]{display:inline-block;width:auto;margin:0 .5rem 0 0}
form.stack label.choice{display:inline;margin:0}
.choices>div{margin:.5rem 0}
.choices p{margin:.15rem 0 0 1.6rem}
.flat{margin:0}
.top{margin-top:0}
.tight{margin:.25rem 0}
.wrap{word-break:break-all}
.row{display:flex;gap:1rem;flex-wrap:wrap}
.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end}
.grow{flex:1 1 16rem;min-width:16rem}
.narrow{max-width:40rem}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
ol.comments{list-style:none;padding:0}
ol.comments li{border-left:3px solid #ccc;padding:.25rem .75rem;margin-bottom:.75rem}
.depth-1{margin-left:2rem}.depth-2{margin-left:4rem}.depth-3{margin-left:6rem}.depth-4{margin-left:8rem}.depth-5{margin-left:10rem}.depth-6{margin-left:12rem}
.k0{background:#1f5f99}.k1{background:#b3461c}.k2{background:#2f7d32}.k3{background:#7b3fa0}.k4{background:#8a6d00}.k5{background:#0f7c7c}.k6{background:#a31f52}.k7{background:#4d4d4d}
@media print{
header,nav,form{display:none}
body{font-size:11pt}
main{max-width:none;padding:0}
.no-print{display:none}
section.report-part + section.report-part{break-before:page}
article.statement{break-inside:avoid}
tr{break-inside:avoid}
a{color:#000;text-decoration:none}
}
"#;

/// Where the stylesheet is served, with its version, so a browser may keep it for good.
pub fn stylesheet_path() -> &'static str {
    static PATH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        // FNV-1a over the rules: a new stylesheet is a new address.
        let version = STYLE.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3));
        format!("/assets/style.css?v={version:016x}")
    });
    PATH.as_str()
}

/// The stylesheet every page links to (no page carries style rules of its own, so the
/// content-security policy allows no inline style).
pub fn stylesheet() -> &'static str {
    STYLE
}

/// The page shell.
pub fn page(title: &str, account: Option<&Account>, csrf: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · peerstake" }
                link rel="stylesheet" href=(stylesheet_path());
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header {
                    a href="/" { strong { "peerstake" } }
                    nav aria-label="Account" {
                        @if let Some(account) = account {
                            a href="/activity" { "Activity" }
                            a href="/new" { "Start a venture" }
                            a href="/account" { (account.display_name) }
                            form.inline method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(csrf);
                                button.secondary.flat type="submit" { "Sign out" }
                            }
                        } @else {
                            a href="/login" { "Sign in" }
                            a href="/signup" { "Sign up" }
                        }
                    }
                }
                main id="main" { (body) }
            }
        }
    }
}

/// A pie of shares (hundredths of a percent adding up to 10,000), with a title for readers.
pub fn pie(slices: &[(String, i64)]) -> Markup {
    let total: i64 = slices.iter().map(|(_, units)| *units).sum();
    let radius = 90.0_f64;
    let (cx, cy) = (100.0_f64, 100.0_f64);
    let description = slices.iter().map(|(name, units)| format!("{name} {}.{:02}%", units / 100, units % 100)).collect::<Vec<_>>().join(", ");
    // Each member with a share: (name, colour, path); a lone holder is a full circle.
    let mut segments: Vec<(String, &'static str, Option<String>)> = Vec::new();
    let holders = slices.iter().filter(|(_, units)| *units > 0).count();
    let mut start = 0_i64;
    for (index, (name, units)) in slices.iter().enumerate() {
        if *units <= 0 {
            continue;
        }
        let path = (holders > 1).then(|| {
            let a0 = std::f64::consts::TAU * (start as f64) / (total as f64);
            let a1 = std::f64::consts::TAU * ((start + units) as f64) / (total as f64);
            let large = if a1 - a0 > std::f64::consts::PI { 1 } else { 0 };
            format!(
                "M{cx:.2},{cy:.2} L{:.2},{:.2} A{radius},{radius} 0 {large} 1 {:.2},{:.2} Z",
                cx + radius * a0.sin(),
                cy - radius * a0.cos(),
                cx + radius * a1.sin(),
                cy - radius * a1.cos()
            )
        });
        segments.push((name.clone(), colour(index), path));
        start += units;
    }
    html! {
        svg width="200" height="200" viewBox="0 0 200 200" role="img" aria-labelledby="pie-title" data-chart="pie" {
            title id="pie-title" { "Split: " (description) }
            @if segments.is_empty() { circle cx="100" cy="100" r="90" fill="#e6e6e6" {} }
            @for (name, fill, path) in &segments {
                @match path {
                    Some(path) => path d=(path) fill=(fill) stroke="#fff" stroke-width="1" { title { (name) } },
                    None => circle cx="100" cy="100" r="90" fill=(fill) { title { (name) } },
                }
            }
        }
    }
}

/// Lines of each member's slices over time. `series` holds (name, value per point); values are
/// slice minor units. Drawn with coordinates only; the figures are in the table beside it.
pub fn chart(labels: &[String], series: &[(String, Vec<i64>)]) -> Markup {
    let width = 560.0_f64;
    let height = 220.0_f64;
    let max = series.iter().flat_map(|(_, values)| values.iter().copied()).max().unwrap_or(0).max(1);
    let steps = labels.len().saturating_sub(1).max(1);
    let x = |i: usize| 40.0 + (width - 60.0) * (i as f64) / (steps as f64);
    let y = |v: i64| height - 30.0 - (height - 50.0) * (v as f64) / (max as f64);
    html! {
        svg width=(width) height=(height) viewBox=(format!("0 0 {width} {height}")) role="img" aria-labelledby="chart-title" data-chart="history" {
            title id="chart-title" { "Slices of each member at the end of each month" }
            line x1="40" y1=(height - 30.0) x2=(width - 20.0) y2=(height - 30.0) stroke="#555" {}
            line x1="40" y1="20" x2="40" y2=(height - 30.0) stroke="#555" {}
            @if let (Some(first), Some(last)) = (labels.first(), labels.last()) {
                text x="40" y=(height - 10.0) font-size="12" { (first) }
                text x=(width - 20.0) y=(height - 10.0) font-size="12" text-anchor="end" { (last) }
            }
            @for (index, (name, values)) in series.iter().enumerate() {
                @let points = values.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v))).collect::<Vec<_>>().join(" ");
                polyline points=(points) fill="none" stroke=(colour(index)) stroke-width="2.5" { title { (name) } }
            }
        }
    }
}
