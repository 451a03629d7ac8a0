/* batchstatus.js: small comforts on pages that work without it: a copy button by each ID, and "how long ago" kept true on a page the browser kept. */
(function () {
	"use strict";
	var body = document.body;

	/* The words come from the page (the catalogs), never from here. */
	function word(name) {
		return body.getAttribute("data-" + name) || "";
	}

	function copied(button) {
		button.textContent = word("copied");
		setTimeout(function () { button.textContent = word("copy"); }, 2000);
	}

	/* Without the Clipboard API (plain HTTP on another host): a selected textarea and execCommand. */
	function copyByHand(text, button) {
		var t = document.createElement("textarea");

		t.value = text;
		t.setAttribute("readonly", "");
		t.style.position = "fixed";
		t.style.opacity = "0";
		body.appendChild(t);
		t.select();
		try {
			if (document.execCommand("copy"))
				copied(button);
		} catch (e) { /* nothing to do: the ID is still there to select */ }
		body.removeChild(t);
	}

	function copy(text, button) {
		if (navigator.clipboard && window.isSecureContext) {
			navigator.clipboard.writeText(text).then(function () {
				copied(button);
			}, function () { copyByHand(text, button); });
		} else {
			copyByHand(text, button);
		}
	}

	function addCopyButtons() {
		var codes = document.querySelectorAll("code.copyable[id]");
		var i;

		if (word("copy") === "")
			return;
		for (i = 0; i < codes.length; i++) {
			(function (code) {
				var b = document.createElement("button");

				b.type = "button";
				b.className = "copy";
				b.textContent = word("copy");
				b.setAttribute("aria-describedby", code.id);
				b.addEventListener("click", function () {
					copy(code.textContent, b);
				});
				code.insertAdjacentElement("afterend", b);
			})(codes[i]);
		}
	}

	/* As view_ago says it: one unit, rounded down; nothing for a time ahead of ours. */
	function ago(seconds) {
		var units = word("units").split("|");
		var n, unit;

		if (seconds < 0 || units.length !== 3)
			return null;
		if (seconds < 60)
			return word("just-now");
		if (seconds < 3600) {
			n = Math.floor(seconds / 60);
			unit = units[0];
		} else if (seconds < 86400) {
			n = Math.floor(seconds / 3600);
			unit = units[1];
		} else {
			n = Math.floor(seconds / 86400);
			unit = units[2];
		}
		return word("ago").replace("{0}", n + " " + unit);
	}

	function refreshAgo() {
		var spans = document.querySelectorAll("time[datetime] + span.ago");
		var i, t, text;

		for (i = 0; i < spans.length; i++) {
			t = Date.parse(spans[i].previousElementSibling.getAttribute("datetime"));
			if (isNaN(t))
				continue;
			text = ago(Math.floor((Date.now() - t) / 1000));
			if (text !== null)
				spans[i].textContent = "(" + text + ")";
		}
	}

	addCopyButtons();
	refreshAgo();
})();
