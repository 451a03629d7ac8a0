{{%AUTOESCAPE context="HTML"}}
{{! The chrome around every page. BODY is the page's own template. }}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{#REFRESH}}<meta http-equiv="refresh" content="{{SECONDS}}">{{/REFRESH}}
<title>{{TITLE}} · Autopilot batch status</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<header class="site"><a class="brand" href="/">Autopilot batch status</a></header>
<main>
{{>BODY}}
</main>
<footer class="site">Device batch upload status from Microsoft Partner Center.</footer>
</body>
</html>
