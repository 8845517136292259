(function () {
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message)); });
  var original = console.error;
  console.error = function () {
    errors.push(Array.prototype.join.call(arguments, " "));
    original.apply(console, arguments);
  };
  // After "load" every image has been fetched and decoded (or failed).
  window.addEventListener("load", function () {
    var ids = JSON.parse(document.body.getAttribute("data-expected"));
    var found = ids.filter(function (id) { return document.getElementById(id) !== null; });
    var figures = Array.prototype.filter.call(document.images, function (img) {
      return img.complete && img.naturalWidth > 0;
    });
    document.body.setAttribute("data-sections", found.join(" "));
    document.body.setAttribute("data-figures",
                               String(figures.length) + "/" + String(document.images.length));
    document.body.setAttribute("data-errors", JSON.stringify(errors));
  });
})();
