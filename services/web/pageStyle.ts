// The upload page's styles: one column that fits a phone, boxes and labels that stay legible on
// any image (a coloured line between dark hairlines, labels on a solid background), errors in red.
export const PAGE_CSS = `:root {
  --ink: #1a1d24; --muted: #5b6270; --line: #d9dde5; --paper: #ffffff; --wash: #f4f6fa;
  --accent: #1f4fd1; --accent-dark: #163a9e; --danger: #b3261e; --danger-wash: #fdecea;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  line-height: 1.5; -webkit-text-size-adjust: 100%;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--wash); min-height: 100vh; display: flex; flex-direction: column; }
header { background: var(--paper); border-bottom: 1px solid var(--line); }
.bar { max-width: 60rem; margin: 0 auto; padding: 0.6rem 1.25rem; display: flex; align-items: center; gap: 0.6rem; font-weight: 600; }
main { flex: 1; width: 100%; max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 2rem; }
h1 { font-size: clamp(1.5rem, 4vw, 2rem); line-height: 1.2; margin: 0.5rem 0; }
.lead { color: var(--muted); margin: 0 0 1.25rem; }
footer { color: var(--muted); font-size: 0.85rem; text-align: center; padding: 1rem; }

.upload { background: var(--paper); border: 1px solid var(--line); border-radius: 12px; padding: 1.25rem; display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); border: 0; }
.button { display: inline-block; background: var(--accent); color: #fff; font-weight: 600; padding: 0.7rem 1.3rem; border-radius: 8px; cursor: pointer; user-select: none; }
.button:hover { background: var(--accent-dark); }
#file:focus-visible + .button { outline: 3px solid #ffb300; outline-offset: 2px; }
#file:disabled + .button { background: #9aa3b5; cursor: progress; }
.limits { margin: 0; color: var(--muted); font-size: 0.95rem; }

.status { min-height: 1.5em; margin: 1rem 0 0.5rem; color: var(--muted); display: flex; align-items: center; gap: 0.6rem; }
.status:empty { display: none; }
.busy .status::before { content: ""; width: 1.1em; height: 1.1em; border: 3px solid var(--line); border-top-color: var(--accent); border-radius: 50%; animation: spin 0.8s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .busy .status::before { animation: none; } }
.error { margin: 1rem 0; padding: 0.8rem 1rem 0.8rem 2.6rem; border: 1px solid #f2b8b5; border-left: 4px solid var(--danger); border-radius: 8px; background: var(--danger-wash); color: var(--danger); font-weight: 500; position: relative; }
.error::before { content: "!"; position: absolute; left: 0.9rem; top: 0.8rem; width: 1.2rem; height: 1.2rem; border-radius: 50%; background: var(--danger); color: #fff; font-size: 0.8rem; font-weight: 700; line-height: 1.2rem; text-align: center; }
.error:empty { display: none; }

figure { margin: 1rem 0 0; background: var(--paper); border: 1px solid var(--line); border-radius: 12px; padding: 1rem; display: grid; gap: 1rem; grid-template-columns: minmax(0, 3fr) minmax(14rem, 2fr); align-items: start; }
figure[hidden] { display: none; }
.frame { position: relative; justify-self: center; line-height: 0; }
.frame img { display: block; max-width: 100%; max-height: 70vh; border-radius: 4px; }
.busy .frame img { opacity: 0.45; }
.boxes { position: absolute; inset: 0; }
.box { position: absolute; border: 3px solid var(--colour); box-shadow: 0 0 0 1px rgba(0, 0, 0, 0.75), inset 0 0 0 1px rgba(0, 0, 0, 0.75); border-radius: 2px; }
.tag { position: absolute; left: -3px; bottom: 100%; margin-bottom: 1px; background: var(--colour); color: #fff; font: 600 0.8rem/1.5 system-ui, sans-serif; padding: 0 0.4em; border-radius: 3px; white-space: nowrap; box-shadow: 0 0 0 1px rgba(0, 0, 0, 0.75); }
.label-inside .tag { bottom: auto; top: 0; left: 0; margin: 0; border-radius: 0 0 3px 0; }
.label-below .tag { bottom: auto; top: 100%; margin: 1px 0 0; }
.label-inside-bottom .tag { bottom: 0; left: 0; margin: 0; border-radius: 0 3px 0 0; }
.label-right .tag { left: auto; right: -3px; }
.label-inside.label-right .tag { right: 0; border-radius: 0 0 0 3px; }
.label-inside-bottom.label-right .tag { right: 0; border-radius: 3px 0 0 0; }
figcaption { font-size: 0.95rem; }
.summary { font-weight: 600; font-size: 1.1rem; margin: 0 0 0.5rem; }
.found { list-style: none; margin: 0 0 1rem; padding: 0; }
.found li { display: flex; align-items: center; gap: 0.5rem; padding: 0.3rem 0; border-bottom: 1px solid var(--line); }
.found li::before { content: ""; width: 0.8rem; height: 0.8rem; border-radius: 2px; background: var(--colour); flex: none; }
.found .score { margin-left: auto; color: var(--muted); font-variant-numeric: tabular-nums; }
.facts { display: grid; grid-template-columns: auto 1fr; gap: 0.2rem 0.8rem; margin: 0; color: var(--muted); font-size: 0.9rem; }
.facts dt { font-weight: 600; color: var(--ink); }
.facts dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }

@media (max-width: 40rem) {
  main { padding: 1rem; }
  .upload { padding: 1rem; }
  .upload .button { width: 100%; text-align: center; }
  figure { grid-template-columns: minmax(0, 1fr); padding: 0.75rem; }
}
`;
