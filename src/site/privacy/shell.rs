//! What a private portal publishes in place of its files: for a page, a
//! shell page (a generic title, the unlock form, the page's sealed HTML
//! inline, and `unlock.js` inline so it works from `file://` and as a lone
//! single-file page); for the search index and every download, a script
//! that registers the sealed bytes in `window.wawasanSealed` by site path.

use crate::chart::embed::escape_html;
use crate::config::Language;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The unlock script, inlined into every shell page.
pub const UNLOCK_JS: &str = include_str!("../../../templates/static/unlock.js");

/// The element holding a page's sealed HTML (base64).
pub const SEALED_ID: &str = "wawasan-sealed";

/// The shell's words in the portal's language.
struct Words {
    title: &'static str,
    heading: &'static str,
    intro: &'static str,
    label: &'static str,
    button: &'static str,
    remember: &'static str,
    wrong: &'static str,
    working: &'static str,
    unsupported: &'static str,
    failed: &'static str,
    lock: &'static str,
    noscript: &'static str,
}

fn words(language: Language) -> Words {
    match language {
        Language::Id => Words {
            title: "Portal terlindungi",
            heading: "Portal ini dilindungi kata sandi",
            intro: "Masukkan kata sandi untuk membuka halaman ini.",
            label: "Kata sandi",
            button: "Buka",
            remember: "Ingat selama tab ini terbuka",
            wrong: "Kata sandi salah. Coba lagi.",
            working: "Membuka…",
            unsupported: "Peramban ini tidak dapat membuka portal di sini: bukalah lewat https, localhost, atau sebagai berkas.",
            failed: "Berkas ini tidak dapat dibuka.",
            lock: "Kunci portal",
            noscript: "Halaman ini memerlukan JavaScript untuk dibuka.",
        },
        Language::En => Words {
            title: "Protected portal",
            heading: "This portal is password-protected",
            intro: "Enter the password to open this page.",
            label: "Password",
            button: "Unlock",
            remember: "Remember while this tab is open",
            wrong: "Wrong password. Try again.",
            working: "Unlocking…",
            unsupported: "This browser cannot decrypt the portal here: open it over https, from localhost or as a file.",
            failed: "This file could not be opened.",
            lock: "Lock portal",
            noscript: "This page needs JavaScript to open.",
        },
    }
}

/// The relative path from a file at `path` to the site root: `""` for
/// `index.html`, `"../"` for `shop/index.html`.
pub fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// Where the build's key derivation is told to the browser.
pub struct Params<'a> {
    pub salt: &'a [u8],
    pub iterations: u32,
    pub language: Language,
}

/// A shell page for the page at `path` whose HTML is `sealed`. `css` is
/// the site's stylesheet (relative to the site root), none for a page
/// meant to stand alone.
pub fn shell_page(path: &str, sealed: &[u8], params: &Params, css: Option<&str>) -> String {
    let w = words(params.language);
    let root = root_of(path);
    let attr = |s: &str| escape_html(s);
    let stylesheet = css
        .map(|href| {
            format!(
                "<link rel=\"stylesheet\" href=\"{}\">\n",
                attr(&format!("{root}{href}"))
            )
        })
        .unwrap_or_default();
    format!(
        r#"<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light dark">
<title>{title}</title>
{stylesheet}<style>
.wawasan-unlock{{max-width:24rem;margin:12vh auto;padding:1.5rem;font-family:system-ui,sans-serif;border:1px solid rgba(128,128,128,.4);border-radius:.5rem}}
.wawasan-unlock h1{{font-size:1.3rem;margin:0 0 .5rem}}
.wawasan-unlock label{{display:block;margin:.75rem 0 .25rem}}
.wawasan-unlock input[type=password]{{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}}
.wawasan-unlock .remember{{display:flex;gap:.4rem;align-items:center;font-size:.9rem}}
.wawasan-unlock button{{margin-top:1rem;padding:.5rem 1.2rem;font-size:1rem}}
.wawasan-unlock-message{{min-height:1.4em;margin:.75rem 0 0}}
.wawasan-unlock-message.is-error{{color:#b3261e;font-weight:600}}
</style>
</head>
<body>
<main class="wawasan-unlock">
<h1>{heading}</h1>
<noscript><p>{noscript}</p></noscript>
<form id="wawasan-unlock" hidden>
<p>{intro}</p>
<label for="wawasan-password">{label}</label>
<input type="password" id="wawasan-password" name="password" autocomplete="current-password" required autofocus>
<label class="remember"><input type="checkbox" id="wawasan-remember" checked> {remember}</label>
<button type="submit" id="wawasan-unlock-button">{button}</button>
<p id="wawasan-unlock-message" class="wawasan-unlock-message" role="alert" aria-live="assertive"></p>
</form>
</main>
<script type="application/octet-stream" id="{id}" data-path="{path}" data-root="{root}" data-salt="{salt}" data-iterations="{iterations}" data-wrong="{wrong}" data-working="{working}" data-unsupported="{unsupported}" data-failed="{failed}" data-lock="{lock}">{sealed}</script>
<script>
{script}</script>
</body>
</html>
"#,
        lang = params.language.tag(),
        title = w.title,
        heading = w.heading,
        noscript = w.noscript,
        intro = w.intro,
        label = w.label,
        remember = w.remember,
        button = w.button,
        id = SEALED_ID,
        path = attr(path),
        root = attr(&root),
        salt = STANDARD.encode(params.salt),
        iterations = params.iterations,
        wrong = attr(w.wrong),
        working = attr(w.working),
        unsupported = attr(w.unsupported),
        failed = attr(w.failed),
        lock = attr(w.lock),
        sealed = STANDARD.encode(sealed),
        script = UNLOCK_JS,
    )
}

/// `key` as a JavaScript string literal (site paths: no quotes expected,
/// escaped all the same).
fn js_string(key: &str) -> String {
    serde_json::to_string(key)
        .unwrap_or_else(|_| "\"\"".to_string())
        .replace('<', "\\u003c")
}

/// The script that registers the sealed bytes of the file at `path`.
fn register(path: &str, sealed: &[u8]) -> String {
    format!(
        "(window.wawasanSealed = window.wawasanSealed || {{}})[{}] = \"{}\";\n",
        js_string(path),
        STANDARD.encode(sealed)
    )
}

/// A download, published as `<path>.js`: the unlock code loads it with a
/// `<script>` element when its link is clicked, decrypts and saves it.
pub fn sealed_download(path: &str, sealed: &[u8]) -> String {
    format!(
        "/* wawasan private portal: a sealed download */\n{}",
        register(path, sealed)
    )
}

/// A sealed script (the search index): registered, then run by the unlock
/// code of the open page; `global` is set at once to a promise of the value
/// the script assigns to it.
pub fn sealed_script(path: &str, sealed: &[u8], global: &str) -> String {
    let key = js_string(path);
    format!(
        "/* wawasan private portal: a sealed script */\n{}window.{global} = window.wawasanPrivate\n  ? window.wawasanPrivate.run({key}).then(function () {{ return window.{global}; }})\n  : null;\n",
        register(path, sealed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_climbs_one_folder_per_slash() {
        assert_eq!(root_of("index.html"), "");
        assert_eq!(root_of("shop/index.html"), "../");
        assert_eq!(root_of("shop/results/a.csv"), "../../");
    }

    #[test]
    fn the_unlock_script_cannot_end_its_inline_element() {
        assert!(!UNLOCK_JS.to_ascii_lowercase().contains("</script"));
        assert!(!UNLOCK_JS.contains("<!--"));
    }

    #[test]
    fn a_shell_carries_the_words_of_its_language_and_the_sealed_bytes() {
        let params = Params {
            salt: &[7; 16],
            iterations: 600_000,
            language: Language::Id,
        };
        let html = shell_page(
            "shop/index.html",
            b"\x00\x01secret",
            &params,
            Some("assets/s.css"),
        );
        assert!(html.contains("<html lang=\"id\">"), "{html}");
        assert!(html.contains("<title>Portal terlindungi</title>"));
        assert!(html.contains("data-wrong=\"Kata sandi salah. Coba lagi.\""));
        assert!(html.contains("href=\"../assets/s.css\""), "{html}");
        assert!(html.contains("data-iterations=\"600000\""));
        assert!(html.contains(&format!(">{}</script>", STANDARD.encode(b"\x00\x01secret"))));
        assert!(!html.contains("secret"));
        assert_eq!(html.matches("</body>").count(), 1);
        let en = shell_page(
            "index.html",
            b"x",
            &Params {
                language: Language::En,
                ..params
            },
            None,
        );
        assert!(en.contains("<title>Protected portal</title>") && !en.contains("stylesheet\""));
        assert!(en.contains("data-root=\"\""));
    }

    #[test]
    fn sealed_scripts_register_by_path() {
        let js = sealed_download("shop/results/a.csv", b"abc");
        assert!(
            js.ends_with("[\"shop/results/a.csv\"] = \"YWJj\";\n"),
            "{js}"
        );
        let index = sealed_script("assets/search-index.js", b"abc", "wawasanSearchIndex");
        assert!(index.contains("window.wawasanPrivate.run(\"assets/search-index.js\")"));
        assert!(index.contains("window.wawasanSearchIndex = window.wawasanPrivate"));
    }
}
