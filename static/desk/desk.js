/* The workspace: autosave per segment through the API, with version checks and conflict resolution.
   Nothing typed is lost: unsaved text is kept in the page and in localStorage until the server has it. */
(function () {
  "use strict";

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("data-hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function start() {
    var list = document.getElementById("segments");
    if (!list || list.dataset.editable !== "1") return;
    var api = list.dataset.api;
    var rows = Array.prototype.slice.call(list.querySelectorAll("li.segment"));
    var DELAY = 800;

    function area(li) { return li.querySelector("textarea"); }
    function backupKey(li) { return "tarjama:segment:" + li.dataset.segment; }
    function setState(li, cls, text) {
      var el = li.querySelector(".save-state");
      el.className = "save-state " + cls;
      el.textContent = text;
    }
    function updateProgress() {
      var done = rows.filter(function (li) { return area(li).value.trim() !== ""; }).length;
      var bar = document.getElementById("progress");
      var label = document.getElementById("progress-text");
      if (bar) bar.value = done;
      if (label) label.textContent = done + "/" + rows.length;
    }

    rows.forEach(function (li) {
      li.dataset.saved = area(li).value;
      var stored = null;
      try { stored = JSON.parse(localStorage.getItem(backupKey(li)) || "null"); } catch (e) { stored = null; }
      if (stored && stored.text !== li.dataset.saved) {
        // Text typed here earlier never reached the server: offer it back rather than drop it.
        showConflict(li, { text: li.dataset.saved, version: Number(li.dataset.version), changed_by: null },
                     stored.text, "Unsaved text from your last visit was kept.");
      }
    });

    function schedule(li) {
      clearTimeout(li._timer);
      li._timer = setTimeout(function () { save(li); }, DELAY);
    }

    function save(li) {
      clearTimeout(li._timer);
      if (li.dataset.conflict === "1") return Promise.resolve(false);
      var text = area(li).value;
      if (text === li.dataset.saved) return Promise.resolve(true);
      if (li._saving) { li._again = true; return li._saving; }
      setState(li, "saving", "saving…");
      li._saving = fetch(api + li.dataset.segment + "/", {
        method: "PATCH",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json" },
        body: JSON.stringify({ text: text, version: Number(li.dataset.version) })
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.ok) {
            li.dataset.version = body.version;
            li.dataset.saved = text;
            localStorage.removeItem(backupKey(li));
            setState(li, "saved", "saved");
            updateProgress();
            return true;
          }
          var error = (body && body.error) || {};
          if (response.status === 409 && error.code === "stale_version") {
            showConflict(li, error.details || {}, text, null);
          } else {
            setState(li, "failed", "not saved: " + (error.message || ("HTTP " + response.status)));
          }
          return false;
        });
      }).catch(function () {
        setState(li, "failed", "not saved: no connection; retrying…");
        li._timer = setTimeout(function () { save(li); }, 5000);
        return false;
      }).finally(function () {
        li._saving = null;
        if (li._again) { li._again = false; schedule(li); }
      });
      return li._saving;
    }

    function el(tag, attrs, text) {
      var node = document.createElement(tag);
      Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
      if (text !== undefined && text !== null) node.textContent = text;
      return node;
    }

    function showConflict(li, theirs, mine, note) {
      li.dataset.conflict = "1";
      var old = li.querySelector(".conflict");
      if (old) old.remove();
      var who = theirs.changed_by ? "Changed by " + theirs.changed_by : "Changed elsewhere";
      if (theirs.changed_at) {
        var when = new Date(theirs.changed_at);
        who += " at " + when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      }
      var box = el("div", { "class": "conflict", "role": "alert" });
      box.appendChild(el("p", {}, note || (who + ". Your text was not saved over theirs: choose.")));
      var texts = el("div", { "class": "texts" });
      var a = el("div"); a.appendChild(el("strong", {}, "Theirs")); a.appendChild(el("pre", { "lang": "en", "class": "theirs" }, theirs.text || ""));
      var b = el("div"); b.appendChild(el("strong", {}, "Yours")); b.appendChild(el("pre", { "lang": "en", "class": "mine" }, mine));
      texts.appendChild(a); texts.appendChild(b); box.appendChild(texts);
      var buttons = el("p", { "class": "actions" });
      function resolve(text) {
        li.dataset.version = theirs.version;
        li.dataset.saved = theirs.text || "";
        li.dataset.conflict = "0";
        box.remove();
        area(li).value = text;
        area(li).focus();
        return save(li);
      }
      var keep = el("button", { "type": "button", "class": "primary" }, "Keep mine");
      keep.addEventListener("click", function () { resolve(mine); });
      var take = el("button", { "type": "button" }, "Take theirs");
      take.addEventListener("click", function () { localStorage.removeItem(backupKey(li)); resolve(theirs.text || ""); setState(li, "saved", "saved"); });
      var both = el("button", { "type": "button" }, "Edit both together");
      both.addEventListener("click", function () {
        li.dataset.version = theirs.version;
        li.dataset.saved = theirs.text || "";
        li.dataset.conflict = "0";
        box.remove();
        area(li).value = (theirs.text || "") + "\n" + mine;
        area(li).focus();
        setState(li, "saving", "merge the two, then save (Ctrl+Enter)");
      });
      buttons.appendChild(keep); buttons.appendChild(take); buttons.appendChild(both);
      box.appendChild(buttons);
      li.appendChild(box);
      setState(li, "failed", "conflict");
    }

    rows.forEach(function (li, index) {
      var ta = area(li);
      ta.addEventListener("input", function () {
        try { localStorage.setItem(backupKey(li), JSON.stringify({ text: ta.value, version: li.dataset.version })); } catch (e) { /* full */ }
        setState(li, "saving", "unsaved");
        updateProgress();
        schedule(li);
      });
      ta.addEventListener("blur", function () { save(li); });
      ta.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          save(li);
          var next = rows[index + 1];
          if (next) { area(next).focus(); }
        }
      });
      var copy = li.querySelector(".copy-draft");
      if (copy) {
        copy.addEventListener("click", function () {
          ta.value = li.querySelector(".machine-text").textContent;
          ta.dispatchEvent(new Event("input"));
          save(li);
        });
      }
    });

    // A memory match's [Use] button (the matches arrive by htmx when the segment gets focus).
    list.addEventListener("click", function (event) {
      var button = event.target.closest(".use-match");
      if (!button) return;
      var li = button.closest("li.segment");
      var ta = area(li);
      ta.value = button.parentNode.querySelector(".match-text").textContent;
      ta.dispatchEvent(new Event("input"));
      save(li);
    });

    var copyAll = document.getElementById("copy-all-drafts");
    if (copyAll) {
      copyAll.addEventListener("click", function () {
        rows.reduce(function (chain, li) {
          var machine = li.querySelector(".machine-text");
          if (!machine || area(li).value.trim() !== "") return chain;
          area(li).value = machine.textContent;
          return chain.then(function () { return save(li); });
        }, Promise.resolve()).then(updateProgress);
      });
    }

    window.addEventListener("beforeunload", function (event) {
      var unsaved = rows.some(function (li) { return area(li).value !== li.dataset.saved; });
      if (unsaved) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
