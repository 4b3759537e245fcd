(function () {
  // The charts, drawn by vega-embed: the wide specs, or below data-below px of screen width
  // their phone layout (one panel under the other, no chart shrunk to fit), redrawn when the
  // width crosses that line. The narrow specs share the wide specs' datasets.
  var specs = JSON.parse(document.getElementById("brugdata-specs").textContent);
  var narrowEl = document.getElementById("brugdata-narrow-specs");
  var narrow = JSON.parse(narrowEl.textContent);
  var options = JSON.parse(document.getElementById("brugdata-embed-options").textContent);
  var failed = document.body.getAttribute("data-chart-error-text");
  var phone = window.matchMedia("(max-width: " + (narrowEl.dataset.below - 0.02) + "px)");
  var views = {};

  function spec(name) {
    if (!phone.matches || !narrow[name]) return specs[name];
    return Object.assign({}, narrow[name], { datasets: specs[name].datasets });
  }

  function draw() {
    var layout = phone.matches ? "narrow" : "wide";
    return Promise.all(Object.keys(specs).map(function (name) {
      var el = document.getElementById("chart-" + name);
      if (views[name]) views[name].finalize();
      return vegaEmbed(el, spec(name), options).then(function (result) {
        views[name] = result;
        el.setAttribute("data-rendered", "true");
        el.setAttribute("data-layout", layout);
        return result;
      }).catch(function (error) {
        el.setAttribute("data-rendered", "error");
        el.textContent = failed;
        console.error("brugdata chart " + name + ": " + error);
      });
    }));
  }

  draw().then(function () {
    document.body.setAttribute("data-charts", "done");
  });
  phone.addEventListener("change", function () {
    document.body.setAttribute("data-charts", "drawing");
    draw().then(function () {
      document.body.setAttribute("data-charts", "done");
    });
  });
})();
