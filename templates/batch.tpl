{{%AUTOESCAPE context="HTML"}}
{{! One batch: status, times, counts and every device. }}
<section class="batch">
{{#CHROME}}<p class="crumbs"><a href="{{HOME_URL}}">{{T_BATCH_NEW_LOOKUP}}</a></p>{{/CHROME}}
<h1>{{T_BATCH_HEADING}} <code id="tracking-id">{{TRACKING}}</code></h1>
<p class="headline outcome-{{OUTCOME}}" id="headline" data-outcome="{{OUTCOME}}">{{HEADLINE}}</p>
<p class="status-line">{{T_BATCH_PC_STATUS}} <span id="batch-status" class="badge {{STATUS_CLASS}}">{{STATUS_LABEL}}</span>
</p>
{{#STALE}}<p class="notice stale" id="stale" role="status" data-as-of="{{AS_OF}}">{{TEXT}} {{RETRY}}</p>{{/STALE}}
{{#RUNNING}}<div class="running" id="running">
<p class="running-note">{{TEXT}} {{CHECKED}} <a href="{{CHECK_URL}}" id="check-now">{{T_BATCH_CHECK_NOW}}</a></p>
<p class="progress"><label for="progress">{{PROGRESS_TEXT}}</label> <progress id="progress" value="{{DONE}}" max="{{TOTAL}}">{{PROGRESS_TEXT}}</progress></p>
</div>{{/RUNNING}}
<dl class="facts">
<dt>{{T_BATCH_CUSTOMER}}</dt><dd><code id="customer-id">{{CUSTOMER}}</code></dd>
<dt>{{T_BATCH_STARTED}}</dt><dd id="started">{{STARTED}}</dd>
<dt>{{T_BATCH_COMPLETED}}</dt><dd id="completed">{{COMPLETED}}</dd>
{{#DURATION}}<dt>{{LABEL}}</dt><dd id="duration">{{TEXT}}</dd>{{/DURATION}}
<dt>{{T_BATCH_DEVICES}}</dt><dd id="device-total">{{DEVICE_TOTAL}} ({{FAILED_TEXT}})</dd>
</dl>
<ul class="counts" id="counts">
{{#COUNT}}<li><span class="badge {{CLASS}}">{{LABEL}}</span> <strong>{{N}}</strong></li>
{{/COUNT}}
</ul>
{{#CHART}}<figure class="chart" id="chart">
<svg role="img" aria-labelledby="chart-title" viewBox="0 0 520 {{HEIGHT}}" width="520" height="{{HEIGHT}}" xmlns="http://www.w3.org/2000/svg">
<title id="chart-title">{{T_BATCH_CHART_TITLE}}</title>
{{#BAR}}<g class="bar {{CLASS}}"><text x="0" y="{{TY}}">{{LABEL}}</text><rect x="{{X}}" y="{{Y}}" width="{{W}}" height="18" rx="3"></rect><text x="{{NX}}" y="{{TY}}" class="n">{{N}}</text></g>
{{/BAR}}</svg>
<figcaption>{{T_BATCH_CHART_TITLE}}</figcaption>
</figure>{{/CHART}}
{{#SKIPPED}}<p class="note">{{TEXT}}</p>{{/SKIPPED}}
{{#FIX}}<section class="fixes" id="what-to-fix" aria-labelledby="fix-title">
<h2 id="fix-title">{{T_BATCH_FIX_TITLE}}</h2>
<div class="table-wrap"><table id="fixes">
<thead><tr><th scope="col">{{T_BATCH_COL_ERROR_CODE}}</th><th scope="col">{{T_BATCH_COL_ERROR}}</th><th scope="col">{{T_BATCH_FIX_DEVICES}}</th><th scope="col">{{T_BATCH_FIX_WHAT}}</th><th scope="col">{{T_BATCH_FIX_EXPORT}}</th></tr></thead>
<tbody>
{{#ROW}}<tr><td class="fix-code">{{CODE}}</td><td class="fix-name">{{NAME}}</td><td class="fix-n">{{N}}</td><td class="fix-what">{{TEXT}}</td><td class="fix-csv">{{#CSV}}<a href="{{URL}}">{{TEXT}}</a>{{/CSV}}</td></tr>
{{/ROW}}</tbody>
</table></div>
<p class="fix-failed"><a href="{{FAILED_CSV_URL}}" id="failed-csv">{{T_BATCH_FIX_FAILED_CSV}}</a></p>
</section>{{/FIX}}
<p class="downloads"><a href="{{CSV_URL}}">{{T_BATCH_DOWNLOAD_CSV}}</a> · <a href="{{JSON_URL}}">{{T_BATCH_JSON}}</a> · <a href="{{SELF_URL}}">{{T_BATCH_LINK}}</a></p>
{{#NO_DEVICES}}<p class="empty">{{T_BATCH_NO_DEVICES}}</p>{{/NO_DEVICES}}
{{#HAS_DEVICES}}
<nav class="filters" aria-label="{{T_BATCH_FILTER_LABEL}}"><span>{{T_BATCH_FILTER_LABEL}}:</span> <ul>
{{#FILTER}}<li><a href="{{URL}}" class="filter {{CLASS}}"{{#ACTIVE}} aria-current="true"{{/ACTIVE}}>{{LABEL}} <span class="n">{{N}}</span></a></li>
{{/FILTER}}</ul></nav>
<form method="get" class="search" role="search">
{{#KEEP}}<input type="hidden" name="{{NAME}}" value="{{VALUE}}">{{/KEEP}}
<label for="q">{{T_BATCH_SEARCH_LABEL}}</label>
<input id="q" name="q" type="search" value="{{SEARCH}}" autocomplete="off" spellcheck="false">
<button type="submit">{{T_BATCH_SEARCH_SUBMIT}}</button>
{{#CLEAR}}<a href="{{URL}}" class="clear">{{T_BATCH_SEARCH_CLEAR}}</a>{{/CLEAR}}
</form>
{{#NONE_MATCH}}<p class="empty" id="none-match">{{T_BATCH_NONE_MATCH}}</p>{{/NONE_MATCH}}
<p class="showing" id="showing">{{SHOWING}}</p>
{{#PAGER}}<nav class="pager" aria-label="{{SHOWING}}">{{#PREV}}<a href="{{URL}}" rel="prev">{{T_BATCH_PAGE_PREV}}</a>{{/PREV}} {{#NEXT}}<a href="{{URL}}" rel="next">{{T_BATCH_PAGE_NEXT}}</a>{{/NEXT}}</nav>{{/PAGER}}
<div class="table-wrap" tabindex="0" role="region" aria-label="{{T_BATCH_DEVICES}}">
<table id="devices">
<thead><tr><th scope="col">{{T_BATCH_COL_N}}</th><th scope="col">{{T_BATCH_COL_SERIAL}}</th><th scope="col">{{T_BATCH_COL_PRODUCT_KEY}}</th><th scope="col">{{T_BATCH_COL_DEVICE_ID}}</th><th scope="col">{{T_BATCH_COL_STATUS}}</th><th scope="col">{{T_BATCH_COL_ERROR_CODE}}</th><th scope="col">{{T_BATCH_COL_ERROR}}</th><th scope="col">{{T_BATCH_COL_MEANING}}</th></tr></thead>
<tbody>
{{#DEVICE}}<tr><td class="n">{{N}}</td><td class="serial">{{SERIAL}}</td><td class="pkey">{{PRODUCT_KEY}}</td><td class="device-id">{{DEVICE_ID}}</td><td><span class="badge {{STATUS_CLASS}}">{{STATUS_LABEL}}</span></td><td class="code">{{ERROR_CODE}}</td><td class="desc">{{ERROR_DESCRIPTION}}</td><td class="explanation">{{#EXPLANATION}}{{TEXT}}{{/EXPLANATION}}</td></tr>
{{/DEVICE}}
</tbody>
</table>
</div>
{{/HAS_DEVICES}}
</section>
