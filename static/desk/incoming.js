// The incoming page's keys: j/k move between sources, t takes the one in focus, d puts the cursor in its
// decline reason (Enter then declines). Keys typed into a field are the field's, never commands.
(function () {
  "use strict";
  const list = document.querySelector("[data-wire]");
  if (!list) return;
  const items = Array.from(list.querySelectorAll("[data-wire-item]"));
  let current = -1;

  function focusItem(index) {
    if (!items.length) return;
    current = Math.max(0, Math.min(items.length - 1, index));
    items.forEach((item, n) => item.classList.toggle("current", n === current));
    items[current].focus();
  }

  items.forEach((item, n) => item.addEventListener("focusin", () => {
    current = n;
    items.forEach((other, m) => other.classList.toggle("current", m === n));
  }));

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = event.target.closest("input, select, textarea, [contenteditable]");
    if (typing) {
      if (event.key === "Escape" && current >= 0) items[current].focus();
      return;
    }
    if (event.key === "j") focusItem(current + 1);
    else if (event.key === "k") focusItem(current - 1);
    else if ((event.key === "t" || event.key === "d") && current >= 0) {
      const form = items[current].querySelector(event.key === "t" ? "[data-take]" : "[data-decline]");
      if (event.key === "t") form.requestSubmit();
      else form.querySelector("input[name=reason]").focus();
    } else return;
    event.preventDefault();
  });
})();
