// Renders the production-readiness checklist. All data goes into the page through textContent, never as markup.
import { fetchChecklist, fetchChecklists } from "./api.js";

const byId = (id) => document.getElementById(id);
const ui = {
  status: byId("status"),
  error: byId("error"),
  errorMessage: byId("error-message"),
  retry: byId("retry"),
  nav: byId("checklist-nav"),
  list: byId("checklist-list"),
  checklist: byId("checklist"),
  title: byId("checklist-title"),
  summary: byId("checklist-summary"),
  meta: byId("checklist-meta"),
  sections: byId("checklist-sections"),
};

let checklists = [];
let current = null; // AbortController of the checklist being loaded
let retryAction = () => {};

function el(tag, { className, text, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attrs ?? {})) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

const plural = (count, one, many) => `${count} ${count === 1 ? one : many}`;
const byOrder = (a, b) => (a.order ?? 0) - (b.order ?? 0);

function showStatus(message) {
  ui.status.textContent = message;
  ui.status.hidden = false;
  ui.error.hidden = true;
}

function showError(error, retry) {
  if (error?.name === "AbortError") return;
  console.error(error);
  ui.errorMessage.textContent = error?.name === "ApiError" ? error.message : "Something went wrong while showing the checklist.";
  retryAction = retry;
  ui.status.hidden = true;
  ui.checklist.hidden = true;
  ui.error.hidden = false;
}

function idFromHash() {
  try {
    return decodeURIComponent(location.hash.slice(1));
  } catch {
    return "";
  }
}

function renderNav(selectedId) {
  ui.list.replaceChildren(
    ...checklists.map((checklist) => {
      const link = el("a", { text: checklist.title, attrs: { href: `#${encodeURIComponent(checklist.id)}` } });
      if (checklist.id === selectedId) link.setAttribute("aria-current", "page");
      return el("li", {}, [link]);
    }),
  );
  ui.nav.hidden = checklists.length < 2;
}

function renderChecklist(checklist) {
  const sections = [...checklist.sections].sort(byOrder);
  const itemCount = sections.reduce((total, section) => total + (section.items?.length ?? 0), 0);

  ui.title.textContent = checklist.title;
  ui.summary.textContent = checklist.summary ?? "";
  ui.summary.hidden = !checklist.summary;
  ui.meta.textContent = [
    checklist.version !== undefined && checklist.version !== null ? `Version ${checklist.version}` : null,
    plural(sections.length, "section", "sections"),
    plural(itemCount, "item", "items"),
  ].filter(Boolean).join(" · ");

  ui.sections.replaceChildren(
    ...sections.map((section, index) => {
      const headingId = `section-${index + 1}`;
      const items = [...(section.items ?? [])].sort(byOrder);
      return el("section", { className: "section", attrs: { "aria-labelledby": headingId } }, [
        el("h3", { text: section.title, attrs: { id: headingId } }),
        ...(section.summary ? [el("p", { className: "summary", text: section.summary })] : []),
        el("ol", { className: "items" }, items.map((item) =>
          el("li", { className: "item" }, [
            el("h4", { text: item.title }),
            ...(item.guidance ? [el("p", { text: item.guidance })] : []),
          ]))),
      ]);
    }),
  );

  ui.status.hidden = true;
  ui.error.hidden = true;
  ui.checklist.hidden = false;
  document.title = `${checklist.title} · ReadinessAspire`;
}

async function showChecklist(id, { focus = false } = {}) {
  current?.abort();
  const controller = new AbortController();
  current = controller;

  const summary = checklists.find((checklist) => checklist.id === id);
  renderNav(id);
  showStatus(`Loading ${summary?.title ?? "checklist"}…`);
  try {
    const checklist = await fetchChecklist(id, controller.signal);
    if (controller.signal.aborted) return;
    renderChecklist(checklist);
    if (focus) {
      ui.title.tabIndex = -1;
      ui.title.focus();
    }
  } catch (error) {
    if (!controller.signal.aborted) showError(error, () => showChecklist(id, { focus }));
  }
}

async function start() {
  showStatus("Loading checklists…");
  try {
    checklists = await fetchChecklists();
  } catch (error) {
    showError(error, start);
    return;
  }

  if (checklists.length === 0) {
    showStatus("No checklists have been published yet.");
    return;
  }

  const requested = idFromHash();
  const selected = checklists.some((checklist) => checklist.id === requested) ? requested : checklists[0].id;
  await showChecklist(selected);
}

ui.retry.addEventListener("click", () => retryAction());
window.addEventListener("hashchange", () => {
  const id = idFromHash();
  if (checklists.some((checklist) => checklist.id === id)) showChecklist(id, { focus: true });
});

start();
