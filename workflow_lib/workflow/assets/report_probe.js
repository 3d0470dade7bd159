// Appended to a Snakemake report by workflow_lib.report_check: once the page has loaded, decode
// every embedded result (the report's global `results`) as the browser would show it, and write
// what it found into a pre element (id report-probe) for --dump-dom to carry out.
(function () {
  function done(found) {
    const out = document.createElement("pre");
    out.id = "report-probe";
    out.textContent = JSON.stringify(found);
    document.body.appendChild(out);
  }
  window.addEventListener("load", function () {
    const entries = Object.entries(typeof results === "undefined" ? {} : results);
    const cats = typeof categories === "undefined" ? {} : categories;
    const found = {};
    let pending = entries.length;
    if (pending === 0) return done({results: found, categories: cats});
    entries.forEach(function ([path, r]) {
      const img = new Image();
      const finish = function () {
        found[path] = {width: img.naturalWidth, height: img.naturalHeight, mime: r.mime_type,
                       caption: (r.caption || "").replace(/<[^>]+>/g, "")};
        if (--pending === 0) done({results: found, categories: cats});
      };
      img.onload = finish;
      img.onerror = finish;
      img.src = r.data_uri;
    });
  });
})();
