// Keeps a console page current during a demo: every few seconds, while the tab is visible, it asks the
// server for the page's live region only (header X-Console-Live: 1) and swaps it in when it changed.
// Rows that were not there before flash briefly, so the room sees what just happened.
(function () {
  const region = document.querySelector("main[data-live]");
  const status = document.querySelector("[data-live-status]");
  if (!region) return;
  const interval = Number(region.dataset.live) || 2000;
  let last = null;
  const rowKeys = () => new Set([...region.querySelectorAll("[data-row]")].map((el) => el.dataset.row));

  async function refresh() {
    if (document.hidden) return;
    try {
      const response = await fetch(location.href, { headers: { "X-Console-Live": "1" }, cache: "no-store" });
      if (!response.ok) throw new Error(response.status);
      const html = await response.text();
      status.textContent = "● Live";
      status.classList.remove("stale");
      if (html === last) return;
      const before = rowKeys();
      region.innerHTML = last = html;
      region.querySelectorAll("[data-row]").forEach((el) => {
        if (!before.has(el.dataset.row)) el.classList.add("fresh");
      });
    } catch (error) {
      status.textContent = "● Sandbox not answering";
      status.classList.add("stale");
    }
  }

  setInterval(refresh, interval);
  document.addEventListener("visibilitychange", refresh);
})();
