{{%AUTOESCAPE context="HTML"}}
{{! The chrome around every page. BODY is the page's own template; T_* are the catalog's strings. }}
<!DOCTYPE html>
<html lang="{{T_LANG_TAG}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}} · {{T_SITE_NAME}}</title>
<link rel="stylesheet" href="{{ROOT}}static/style.css">
<script src="{{ROOT}}static/batchstatus.js" defer></script>
</head>
<body{{#EMBED}} class="embed"{{/EMBED}} data-copy="{{T_SITE_COPY}}" data-copied="{{T_SITE_COPIED}}" data-ago="{{T_BATCH_AGO}}" data-just-now="{{T_BATCH_JUST_NOW}}" data-units="{{T_UNIT_MINUTE}}|{{T_UNIT_HOUR}}|{{T_UNIT_DAY}}">
<a class="skip" href="#main">{{T_SITE_SKIP}}</a>
{{#CHROME}}<header class="site"><a class="brand" href="{{HOME_URL}}">{{T_SITE_NAME}}</a></header>{{/CHROME}}
<main id="main">
{{>BODY}}
</main>
<footer class="site">{{#CHROME}}<p>{{T_SITE_FOOTER}}</p>{{/CHROME}}
<nav class="languages" aria-label="{{T_SITE_LANGUAGE}}"><ul>
{{#LANG}}<li>{{#OTHER}}<a href="{{URL}}" hreflang="{{TAG}}" lang="{{TAG}}">{{NAME}}</a>{{/OTHER}}{{#CURRENT}}<span aria-current="true" lang="{{TAG}}">{{NAME}}</span>{{/CURRENT}}</li>
{{/LANG}}</ul></nav>
</footer>
</body>
</html>
