// replydraft console: keyboard shortcuts, queue navigation and the debounced live compliance check.
// Text from customers, models or the server is only ever set with textContent, never as HTML.
(function () {
  "use strict";

  var body = document.body;
  var page = body.getAttribute("data-page");
  var csrf = body.getAttribute("data-csrf");
  var strings = {};
  try {
    strings = JSON.parse(document.getElementById("rd-strings").textContent || "{}");
  } catch (e) {
    strings = {};
  }
  function t(key) {
    return Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function typing(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  // --- queue: remember the order so the draft page can go to next/previous ---------------------------
  var QUEUE_KEY = "rd-queue";
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue tr.row"));
  }
  function rememberQueue() {
    var ids = rows().map(function (r) { return r.getAttribute("data-id"); });
    try {
      sessionStorage.setItem(QUEUE_KEY, JSON.stringify({ ids: ids, url: location.pathname + location.search }));
    } catch (e) { /* storage may be disabled */ }
  }
  function storedQueue() {
    try {
      return JSON.parse(sessionStorage.getItem(QUEUE_KEY) || "null");
    } catch (e) {
      return null;
    }
  }
  var current = -1;
  function select(index) {
    var all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (r, i) { r.classList.toggle("current", i === current); });
    var link = all[current].querySelector("a.open");
    if (link) link.focus();
  }

  // --- draft page: neighbours in the remembered queue ------------------------------------------------
  function neighbour(step) {
    var q = storedQueue();
    var here = location.pathname.split("/").pop();
    if (!q || !q.ids) return null;
    var i = q.ids.indexOf(here);
    if (i < 0) return null;
    var j = i + step;
    return j >= 0 && j < q.ids.length ? "/console/drafts/" + encodeURIComponent(q.ids[j]) : null;
  }
  function wireNeighbours() {
    [["prev-draft", -1], ["next-draft", 1]].forEach(function (pair) {
      var link = document.getElementById(pair[0]);
      var target = neighbour(pair[1]);
      if (link && target) {
        link.href = target;
        link.hidden = false;
      }
    });
  }

  // --- live check --------------------------------------------------------------------------------------
  function renderSegments(container, segments, findings, prefix) {
    container.replaceChildren();
    segments.forEach(function (seg) {
      if (!seg.findings.length) {
        container.appendChild(document.createTextNode(seg.text));
        return;
      }
      var mark = el("mark", "finding sev-" + seg.severity, seg.text);
      mark.tabIndex = 0;
      mark.setAttribute("data-findings", seg.findings.join(","));
      mark.setAttribute("aria-describedby", seg.findings.map(function (i) { return prefix + "-" + i; }).join(" "));
      var tip = el("span", "tip");
      tip.setAttribute("role", "tooltip");
      seg.findings.forEach(function (i) {
        var f = findings[i];
        var item = el("span", "tip-item");
        item.appendChild(el("b", null, f.rule_id));
        item.appendChild(document.createTextNode(" · " + t("severity." + f.severity)));
        item.appendChild(el("br"));
        item.appendChild(document.createTextNode(t("draft.message") + ": " + f.message));
        if (f.suggestion) {
          item.appendChild(el("br"));
          item.appendChild(document.createTextNode(t("draft.suggestion") + ": " + f.suggestion));
        }
        tip.appendChild(item);
      });
      mark.appendChild(tip);
      container.appendChild(mark);
    });
  }
  function renderFindings(container, findings, prefix) {
    container.replaceChildren();
    if (!findings.length) {
      container.appendChild(el("p", "ok", t("draft.no_findings")));
      return;
    }
    var list = el("ul", "findings");
    findings.forEach(function (f, i) {
      var li = el("li", "sev-" + f.severity);
      li.id = prefix + "-" + i;
      li.setAttribute("data-rule", f.rule_id);
      li.appendChild(el("span", "badge verdict-" + f.severity, t("severity." + f.severity)));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("b", null, f.rule_id));
      li.appendChild(document.createTextNode(" (" + f.category + ") — "));
      li.appendChild(el("q", null, f.matched));
      li.appendChild(el("br"));
      li.appendChild(document.createTextNode(f.message));
      if (f.suggestion) {
        li.appendChild(el("br"));
        li.appendChild(el("span", "suggestion", t("draft.suggestion") + ": " + f.suggestion));
      }
      list.appendChild(li);
    });
    container.appendChild(list);
  }
  function wireLiveCheck() {
    var box = document.getElementById("edit");
    var live = document.getElementById("live");
    if (!box || !live) return;
    var verdict = document.getElementById("live-verdict");
    var text = document.getElementById("live-text");
    var list = document.getElementById("live-findings");
    var timer = null;
    var inflight = null;
    var seq = 0;
    live.setAttribute("data-state", "idle");

    function check() {
      var mine = ++seq;
      if (inflight) inflight.abort();
      inflight = typeof AbortController === "function" ? new AbortController() : null;
      live.setAttribute("data-state", "checking");
      verdict.textContent = t("draft.live.checking");
      fetch("/console/api/check", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ draft_id: box.getAttribute("data-draft"), text: box.value }),
        signal: inflight ? inflight.signal : undefined,
      })
        .then(function (res) {
          return res.json().then(function (data) {
            if (!res.ok) throw new Error((data.error && data.error.message) || res.statusText);
            return data;
          });
        })
        .then(function (data) {
          if (mine !== seq) return;
          verdict.textContent = t("verdict." + data.verdict);
          verdict.title = "";
          verdict.className = "badge verdict-" + data.verdict;
          verdict.setAttribute("data-verdict", data.verdict);
          renderSegments(text, data.segments, data.findings, "lf");
          renderFindings(list, data.findings, "lf");
          live.setAttribute("data-state", "done");
        })
        .catch(function (err) {
          if (mine !== seq || (err && err.name === "AbortError")) return;
          verdict.textContent = t("draft.live.failed");
          verdict.title = (err && err.message) || "";
          verdict.className = "badge verdict-warn";
          live.setAttribute("data-state", "error");
        });
    }
    box.addEventListener("input", function () {
      live.setAttribute("data-state", "pending");
      if (timer) clearTimeout(timer);
      timer = setTimeout(check, 350);
    });
  }

  // --- keyboard ----------------------------------------------------------------------------------------
  function click(id) {
    var node = document.getElementById(id);
    if (node && !node.disabled) {
      node.click();
      return true;
    }
    return false;
  }
  function focus(id) {
    var node = document.getElementById(id);
    if (node) {
      node.focus();
      if (node.select && node.tagName === "INPUT") node.select();
      return true;
    }
    return false;
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && typing(ev.target)) {
      ev.target.blur();
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    var handled = false;
    if (page === "queue") {
      if (ev.key === "j") { select(current + 1); handled = true; }
      else if (ev.key === "k") { select(current < 0 ? 0 : current - 1); handled = true; }
      else if ((ev.key === "Enter" || ev.key === "o") && current >= 0) {
        var link = rows()[current].querySelector("a.open");
        if (link) { link.click(); handled = true; }
      }
    } else if (page === "draft") {
      if (ev.key === "j" || ev.key === "k") {
        var target = neighbour(ev.key === "j" ? 1 : -1);
        if (target) { location.href = target; handled = true; }
      } else if (ev.key === "a") handled = click("approve");
      else if (ev.key === "r") handled = focus("reason");
      else if (ev.key === "e") handled = focus("edit");
    }
    if (handled) ev.preventDefault();
  });

  if (page === "queue") rememberQueue();
  if (page === "draft") {
    wireNeighbours();
    wireLiveCheck();
  }
})();
