/**
 * The matrix page's only script: filters (unexpected only, one subject) and opening a cell's
 * evidence beside the grid instead of jumping down to it. Everything it touches is already in the
 * page as plain HTML; it reads classes and data attributes, never result data. With scripts off
 * the filters stay hidden and a cell link jumps to its evidence section.
 */
export const MATRIX_SCRIPT = `(function () {
  "use strict";
  var d = document, body = d.body;
  var form = d.getElementById("filters"), only = d.getElementById("only-unexpected"), subject = d.getElementById("subject"), shown = d.getElementById("shown");
  var cells = d.querySelectorAll("#grid td.c"), rows = d.querySelectorAll("#grid tbody tr"), sections = d.querySelectorAll("section.ev");
  var open = null;
  form.hidden = false;
  body.classList.add("js");
  function visible(el) {
    return (!subject.value || el.getAttribute("data-s") === subject.value) && (!only.checked || el.classList.contains("u"));
  }
  function apply() {
    var n = 0;
    body.classList.toggle("only-u", only.checked);
    rows.forEach(function (r) {
      r.hidden = !!(subject.value && r.getAttribute("data-s") !== subject.value) || (only.checked && !r.querySelector("td.u"));
      if (!r.hidden) n += r.querySelectorAll(only.checked ? "td.u" : "td.c").length;
    });
    sections.forEach(function (s) { s.hidden = !visible(s) && s !== open; });
    shown.textContent = "showing " + n + " of " + cells.length + " cells";
  }
  function show(id) {
    var s = d.getElementById(id);
    if (!s || !s.classList.contains("ev")) return;
    if (open) open.classList.remove("open");
    open = s;
    s.hidden = false;
    s.classList.add("open");
    body.classList.add("has-open");
    s.scrollTop = 0;
    var mark = d.querySelector("#grid td.sel");
    if (mark) mark.classList.remove("sel");
    var link = d.querySelector('#grid a[href="#' + id + '"]');
    if (link) link.parentNode.classList.add("sel");
    s.querySelector(".close").focus({ preventScroll: true });
  }
  function hide() {
    if (!open) return;
    open.classList.remove("open");
    body.classList.remove("has-open");
    var mark = d.querySelector("#grid td.sel");
    if (mark) { mark.classList.remove("sel"); mark.querySelector("a").focus({ preventScroll: true }); }
    open = null;
    apply();
    history.replaceState(null, "", location.pathname + location.search);
  }
  d.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a");
    if (!a) return;
    if (a.classList.contains("close") && open) { e.preventDefault(); hide(); return; }
    var h = a.getAttribute("href") || "";
    if (h.charAt(0) === "#" && a.closest("#grid")) { e.preventDefault(); show(h.slice(1)); history.replaceState(null, "", h); }
  });
  d.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });
  only.addEventListener("change", apply);
  subject.addEventListener("change", apply);
  apply();
  if (location.hash.length > 1) show(location.hash.slice(1));
})();
`;
