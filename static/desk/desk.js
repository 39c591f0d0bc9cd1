/* The workspace: autosave per segment through the API, with version checks and conflict resolution.
   Nothing typed is lost: unsaved text is kept in the page and in localStorage until the server has it. */
(function () {
  "use strict";

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("data-hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /* A segment's issues, as the save's answer gives them, beside its English text. Empty segments show in the
     progress bar instead. Editors get the override form on each open error, as the page renders it. */
  function renderIssues(li, issues) {
    var box = li.querySelector(".issues");
    if (!box) return;
    var list = document.getElementById("segments");
    box.textContent = "";
    issues.filter(function (issue) { return issue.code !== "empty"; }).forEach(function (issue) {
      var p = el("div", { "class": "issue " + issue.severity + (issue.overridden ? " overridden" : ""), "data-code": issue.code });
      p.appendChild(el("strong", {}, (issue.severity === "error" ? "!" : "?") + " " + issue.code + ":"));
      p.appendChild(document.createTextNode(" " + issue.message + " "));
      if (issue.overridden) {
        p.appendChild(el("span", { "class": "muted" }, "(overridden by " + issue.overridden.by + ": " + issue.overridden.reason + ")"));
      } else if (issue.severity === "error" && issue.code !== "source_changed" && list.dataset.mayOverride === "1") {
        var id = "reason-" + li.dataset.segment + "-" + issue.code;
        var form = el("form", { "method": "post", "action": box.dataset.override, "class": "inline" });
        form.appendChild(el("input", { "type": "hidden", "name": "csrfmiddlewaretoken", "value": csrfToken() }));
        form.appendChild(el("input", { "type": "hidden", "name": "code", "value": issue.code }));
        form.appendChild(el("label", { "class": "skip", "for": id }, "Reason to accept this"));
        form.appendChild(el("input", { "id": id, "type": "text", "name": "reason", "required": "", "maxlength": "2000", "placeholder": "reason to accept it" }));
        form.appendChild(el("button", { "type": "submit", "class": "small" }, "Override"));
        p.appendChild(form);
      }
      box.appendChild(p);
    });
    markIssues();
  }

  function openIssues(li) { return li.querySelectorAll(".issues .issue:not(.overridden)").length > 0; }

  function markIssues() {
    var list = document.getElementById("segments");
    if (!list) return;
    var rows = Array.prototype.slice.call(list.querySelectorAll("li.segment"));
    var count = 0;
    rows.forEach(function (li) {
      var has = openIssues(li);
      li.classList.toggle("has-issues", has);
      if (has) count += 1;
    });
    var label = document.getElementById("issue-count");
    if (label) label.textContent = count === 0 ? "No open issues." : count + (count === 1 ? " segment has" : " segments have") + " open issues.";
  }

  /* Next issue, next empty segment, and the filter: they work whether the text is editable or not. */
  function tools() {
    var list = document.getElementById("segments");
    if (!list) return;
    var rows = Array.prototype.slice.call(list.querySelectorAll("li.segment"));
    markIssues();
    function current() {
      var active = document.activeElement && document.activeElement.closest ? document.activeElement.closest("li.segment") : null;
      return active ? rows.indexOf(active) : -1;
    }
    function goTo(test) {
      var from = current();
      for (var step = 1; step <= rows.length; step++) {
        var li = rows[(from + step) % rows.length];
        if (test(li) && li.offsetParent !== null) {
          var target = li.querySelector("textarea") || li.querySelector(".target [id^='text-']");
          if (target && target.tagName !== "TEXTAREA") target.setAttribute("tabindex", "-1");
          li.scrollIntoView({ block: "center" });
          (target || li).focus();
          return true;
        }
      }
      return false;
    }
    function isEmpty(li) {
      var ta = li.querySelector("textarea");
      var text = ta ? ta.value : (li.querySelector(".target [id^='text-']") || {}).textContent || "";
      return text.trim() === "";
    }
    var say = document.getElementById("issue-count");
    function nextIssue() { if (!goTo(openIssues) && say) say.textContent = "No open issues."; }
    function nextEmpty() { if (!goTo(isEmpty) && say) say.textContent = "No empty segments."; }
    var issueButton = document.getElementById("next-issue");
    if (issueButton) issueButton.addEventListener("click", nextIssue);
    var emptyButton = document.getElementById("next-empty");
    if (emptyButton) emptyButton.addEventListener("click", nextEmpty);
    var only = document.getElementById("only-issues");
    if (only) only.addEventListener("change", function () { list.classList.toggle("only-issues", only.checked); });
    var help = document.getElementById("shortcuts");
    var helpButton = document.getElementById("show-shortcuts");
    if (help && helpButton) helpButton.addEventListener("click", function () { help.showModal(); });
    document.addEventListener("keydown", function (event) {
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test((event.target && event.target.tagName) || "");
      if (event.key === "?" && !typing && help && !help.open) { event.preventDefault(); help.showModal(); return; }
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === "n" || event.key === "N") { event.preventDefault(); nextIssue(); }
      else if (event.key === "e" || event.key === "E") { event.preventDefault(); nextEmpty(); }
      else if (event.key === "a" || event.key === "A") {
        var actions = document.getElementById("actions");
        if (actions) { event.preventDefault(); actions.scrollIntoView({ block: "nearest" }); (actions.querySelector("button, summary, select, input:not([type=hidden])") || actions).focus(); }
      }
    });
  }

  /* Destructive forms ask first, saying what they do; the server asks too when this has not (desk/confirming.py). */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-confirm]")) return;
    if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); return; }
    if (!form.querySelector("input[name=confirmed]")) form.appendChild(el("input", { "type": "hidden", "name": "confirmed", "value": "1" }));
  });

  /* Presence: the workspace's heartbeat says which segment has the focus; the answer marks where others are. */
  function presence() {
    var list = document.getElementById("segments");
    var field = document.getElementById("presence-segment");
    if (!list || !field) return;
    list.addEventListener("focusin", function (event) {
      var li = event.target.closest && event.target.closest("li.segment");
      field.value = li ? li.dataset.segment : "";
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (!event.detail || !event.detail.target || event.detail.target.id !== "presence") return;
      list.querySelectorAll("li.segment.someone-here").forEach(function (li) {
        li.classList.remove("someone-here");
        li.querySelector(".meta").removeAttribute("data-here");
      });
      event.detail.target.querySelectorAll("a[data-segment]").forEach(function (a) {
        var li = document.getElementById("segment-" + a.dataset.segment);
        if (!li) return;
        var meta = li.querySelector(".meta");
        li.classList.add("someone-here");
        meta.setAttribute("data-here", (meta.getAttribute("data-here") ? meta.getAttribute("data-here") + ", " : "") + a.dataset.who);
      });
    });
  }

  function start() {
    presence();
    tools();
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

    // Text areas grow with their text (no paragraph is cut off), and count words and characters.
    function grow(ta) {
      ta.style.height = "auto";
      ta.style.height = (ta.scrollHeight + 2) + "px";
    }
    function words(text) { var m = text.trim().match(/\S+/g); return m ? m.length : 0; }
    function count(li) {
      var el = li.querySelector(".counts");
      if (el) { var text = area(li).value; el.textContent = words(text) + " words · " + text.length + " characters"; }
    }
    function countAll() {
      var total = document.getElementById("article-counts");
      if (!total) return;
      var w = 0, c = 0;
      rows.forEach(function (row) { var t = area(row).value; w += words(t); c += t.length; });
      total.textContent = w + " words · " + c + " characters translated";
    }

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
            if (body.issues) renderIssues(li, body.issues);
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
      grow(ta);
      count(li);
      ta.addEventListener("input", function () {
        grow(ta);
        count(li);
        countAll();
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

    countAll();

    // A memory match's [Use] button (the matches arrive by htmx when the segment gets focus).
    list.addEventListener("click", function (event) {
      var button = event.target.closest(".use-match");
      if (!button) return;
      useMatch(button.closest("li.segment"), button.closest("li"));
    });

    function useMatch(li, item) {
      var ta = area(li);
      ta.value = item.querySelector(".match-text").textContent;
      ta.dispatchEvent(new Event("input"));
      ta.focus();  // the focus stays in the text, never on the button
      save(li);
    }

    function insertAtCursor(ta, text) {
      var start = ta.selectionStart, end = ta.selectionEnd;
      ta.setRangeText(text, start, end, "end");
      ta.dispatchEvent(new Event("input"));
    }

    // Keys inside a segment's text (the list is on the page: "?" shows it).
    rows.forEach(function (li) {
      var ta = area(li);
      ta.addEventListener("keydown", function (event) {
        var digit = /^[1-9]$/.test(event.key) ? Number(event.key) : 0;
        if (event.ctrlKey && !event.altKey && digit) {
          var items = li.querySelectorAll(".memory .matches > li");
          if (items[digit - 1]) { event.preventDefault(); useMatch(li, items[digit - 1]); }
        } else if (event.altKey && !event.ctrlKey && (event.key === "d" || event.key === "D")) {
          var draft = li.querySelector(".machine-text");
          if (draft) { event.preventDefault(); ta.value = draft.textContent; ta.dispatchEvent(new Event("input")); save(li); }
        } else if (event.altKey && !event.ctrlKey && (event.key === "g" || event.key === "G")) {
          // The segment's glossary terms in turn: the first whose rendering is not in the text yet.
          var terms = Array.prototype.slice.call(li.querySelectorAll(".term strong"));
          var next = terms.filter(function (t) { return ta.value.indexOf(t.textContent) === -1; })[0] || terms[0];
          if (next) { event.preventDefault(); insertAtCursor(ta, next.textContent); }
        }
      });
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
