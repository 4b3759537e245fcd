(function () {
  var specs = JSON.parse(document.getElementById("brugdata-specs").textContent);
  var options = JSON.parse(document.getElementById("brugdata-embed-options").textContent);
  var failed = document.body.getAttribute("data-chart-error-text");
  var jobs = Object.keys(specs).map(function (name) {
    var el = document.getElementById("chart-" + name);
    return vegaEmbed(el, specs[name], options).then(function (result) {
      el.setAttribute("data-rendered", "true");
      return result;
    }).catch(function (error) {
      el.setAttribute("data-rendered", "error");
      el.textContent = failed;
      console.error("brugdata chart " + name + ": " + error);
    });
  });
  Promise.all(jobs).then(function () {
    document.body.setAttribute("data-charts", "done");
  });
})();
