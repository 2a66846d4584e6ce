/* wawasan unlock: the script of a private portal's shell page (inlined by
   the build, so it works from file:// and in a lone single-file page).
   The page's HTML is sealed with AES-256-GCM under a key derived from the
   password with PBKDF2-HMAC-SHA256 (salt and rounds in the sealed
   element's data attributes); the site path is the associated data.
   A correct password replaces this document with the page
   (document.open/write/close), whose own scripts then run as usual. The
   key (never the password) is kept in sessionStorage, so the tab's other
   pages open without asking, until the tab closes or "Lock" is pressed.
   Downloads are published sealed as "<path>.js" scripts: a click on a
   link to one loads it, decrypts it and saves it through a Blob URL. The
   sealed search index is run through window.wawasanPrivate.run. */
(function () {
  "use strict";

  var sealedElement = document.getElementById("wawasan-sealed");
  if (!sealedElement) return;
  var settings = sealedElement.dataset;
  var form = document.getElementById("wawasan-unlock");
  var input = document.getElementById("wawasan-password");
  var remember = document.getElementById("wawasan-remember");
  var button = document.getElementById("wawasan-unlock-button");
  var message = document.getElementById("wawasan-unlock-message");
  var subtle = window.crypto && window.crypto.subtle;
  var storageName = "wawasan-key:" + settings.salt + ":" + settings.iterations;
  var encoder = new TextEncoder();
  var busy = false;

  function fromBase64(text) {
    var binary = atob(text.replace(/\s+/g, ""));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function toBase64(bytes) {
    var binary = "";
    for (var i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  function say(text, isError) {
    message.textContent = text;
    message.className = "wawasan-unlock-message" + (isError ? " is-error" : "");
  }

  function storedKey() {
    try {
      return sessionStorage.getItem(storageName);
    } catch (e) {
      return null;
    }
  }

  function store(raw) {
    try {
      sessionStorage.setItem(storageName, toBase64(raw));
    } catch (e) {
      /* Storage refused (private mode): every page asks again. */
    }
  }

  function forget() {
    try {
      sessionStorage.removeItem(storageName);
    } catch (e) {
      /* Nothing kept. */
    }
  }

  /* The AES key from the password: PBKDF2's first 32 bytes. */
  function deriveKey(password) {
    return subtle
      .importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"])
      .then(function (base) {
        return subtle.deriveBits(
          {
            name: "PBKDF2",
            hash: "SHA-256",
            salt: fromBase64(settings.salt),
            iterations: Number(settings.iterations)
          },
          base,
          256
        );
      })
      .then(function (bits) {
        return new Uint8Array(bits);
      });
  }

  function importKey(raw) {
    return subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["decrypt"]);
  }

  /* The plaintext of `sealed` (nonce, ciphertext and tag) at site `path`;
     rejects when the key is wrong or the bytes were altered. */
  function open(key, path, sealed) {
    return subtle
      .decrypt(
        { name: "AES-GCM", iv: sealed.subarray(0, 12), additionalData: encoder.encode(path) },
        key,
        sealed.subarray(12)
      )
      .then(function (plain) {
        return new Uint8Array(plain);
      });
  }

  var MIME = {
    csv: "text/csv;charset=utf-8",
    json: "application/json",
    xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    txt: "text/plain;charset=utf-8"
  };

  /* What the open page may ask of its key. */
  function privateApi(key) {
    var siteRoot = new URL(settings.root || "./", window.location.href).href;

    function sealedBytes(path) {
      var holder = window.wawasanSealed || {};
      return typeof holder[path] === "string" ? fromBase64(holder[path]) : null;
    }

    /* The site path of `href`, or null when it leaves the site. */
    function sitePath(href) {
      var url;
      try {
        url = new URL(href, window.location.href);
      } catch (e) {
        return null;
      }
      url.hash = "";
      url.search = "";
      if (url.href.indexOf(siteRoot) !== 0) return null;
      try {
        return decodeURIComponent(url.href.slice(siteRoot.length));
      } catch (e) {
        return null;
      }
    }

    /* The decrypted bytes of the sealed file at site `path`, loading its
       "<path>.js" first when needed. */
    function file(path) {
      var ready = sealedBytes(path);
      if (ready) return open(key, path, ready);
      return new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = siteRoot + path.split("/").map(encodeURIComponent).join("/") + ".js";
        script.onload = function () {
          script.remove();
          var bytes = sealedBytes(path);
          if (bytes) resolve(open(key, path, bytes));
          else reject(new Error("no sealed file " + path));
        };
        script.onerror = function () {
          script.remove();
          reject(new Error("cannot load " + path));
        };
        document.head.appendChild(script);
      });
    }

    /* Decrypt and run the registered sealed script at `path`. */
    function run(path) {
      var bytes = sealedBytes(path);
      if (!bytes) return Promise.reject(new Error("no sealed script " + path));
      return open(key, path, bytes).then(function (plain) {
        var script = document.createElement("script");
        script.textContent = new TextDecoder().decode(plain);
        document.head.appendChild(script);
        script.remove();
      });
    }

    function save(path, bytes) {
      var name = path.split("/").pop();
      var type = MIME[name.split(".").pop().toLowerCase()] || "application/octet-stream";
      var url = URL.createObjectURL(new Blob([bytes], { type: type }));
      var link = document.createElement("a");
      link.href = url;
      link.download = name;
      link.hidden = true;
      document.body.appendChild(link);
      link.click();
      window.setTimeout(function () {
        URL.revokeObjectURL(url);
        link.remove();
      }, 1000);
    }

    function onClick(event) {
      if (event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      var link = event.target && event.target.closest ? event.target.closest("a[href]") : null;
      if (!link) return;
      var path = sitePath(link.href);
      if (!path || /\.html$/.test(path) || path.indexOf("assets/") === 0) return;
      event.preventDefault();
      file(path).then(
        function (bytes) {
          save(path, bytes);
        },
        function () {
          window.alert(settings.failed);
        }
      );
    }

    function lockButton() {
      var lock = document.createElement("button");
      lock.type = "button";
      lock.className = "wawasan-lock";
      lock.textContent = settings.lock;
      lock.style.cssText =
        "position:fixed;right:.75rem;bottom:.75rem;z-index:1000;padding:.3rem .7rem;font:inherit;font-size:.8rem;opacity:.8";
      lock.addEventListener("click", function () {
        forget();
        window.location.reload();
      });
      document.body.appendChild(lock);
    }

    return {
      file: file,
      run: run,
      sitePath: sitePath,
      lock: function () {
        forget();
        window.location.reload();
      },
      attach: function () {
        document.addEventListener("click", onClick);
        if (document.body) lockButton();
      }
    };
  }

  /* Replace this document with the page; its scripts run as in a plain
     page. Not before the shell has finished loading: a document replaced
     while its own load is still under way (a remembered key opens a page
     that fast) never reaches "complete", and its scripts waiting for load
     would not run. */
  function show(key, plain) {
    var html = new TextDecoder().decode(plain);
    var api = privateApi(key);
    function replace() {
      window.wawasanPrivate = api;
      document.open();
      document.write(html);
      document.close();
      api.attach();
    }
    if (document.readyState === "complete") replace();
    else window.addEventListener("load", replace, { once: true });
  }

  /* Try `raw` as the key; resolves true once the page is shown, false when
     the key does not open it. */
  function attempt(raw, keep) {
    var sealed = fromBase64(sealedElement.textContent);
    return importKey(raw).then(function (key) {
      return open(key, settings.path, sealed).then(
        function (plain) {
          if (keep) store(raw);
          show(key, plain);
          return true;
        },
        function () {
          return false;
        }
      );
    });
  }

  function showForm() {
    form.hidden = false;
    input.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy || !subtle) return;
    busy = true;
    button.disabled = true;
    say(settings.working, false);
    deriveKey(input.value)
      .then(function (raw) {
        return attempt(raw, remember.checked);
      })
      .then(
        function (opened) {
          if (opened) return;
          busy = false;
          button.disabled = false;
          say(settings.wrong, true);
          input.select();
        },
        function () {
          busy = false;
          button.disabled = false;
          say(settings.unsupported, true);
        }
      );
  });

  if (!subtle) {
    showForm();
    button.disabled = true;
    say(settings.unsupported, true);
    return;
  }
  var saved = storedKey();
  if (!saved) {
    showForm();
    return;
  }
  var raw;
  try {
    raw = fromBase64(saved);
  } catch (e) {
    raw = null;
  }
  if (!raw) {
    forget();
    showForm();
    return;
  }
  attempt(raw, false).then(
    function (opened) {
      if (!opened) {
        forget();
        showForm();
      }
    },
    function () {
      forget();
      showForm();
    }
  );
})();
