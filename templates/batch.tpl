{{%AUTOESCAPE context="HTML"}}
{{! One batch: status, times, counts and every device. }}
<section class="batch">
{{#CHROME}}<p class="crumbs"><a href="{{HOME_URL}}">{{T_BATCH_NEW_LOOKUP}}</a></p>{{/CHROME}}
<h1>{{T_BATCH_HEADING}} <code class="copyable" id="tracking-id">{{TRACKING}}</code></h1>
<p class="headline outcome-{{OUTCOME}}" id="headline" data-outcome="{{OUTCOME}}">{{HEADLINE}}</p>
<p class="status-line">{{T_BATCH_PC_STATUS}} <span id="batch-status" class="badge {{STATUS_CLASS}}">{{STATUS_LABEL}}</span>
</p>
{{#STALE}}<p class="notice stale" id="stale" role="status" data-as-of="{{AS_OF}}">{{TEXT}} {{RETRY}}</p>{{/STALE}}
{{#RUNNING}}<div class="running" id="running">
<p class="running-note">{{TEXT}} {{CHECKED}} <a href="{{CHECK_URL}}" id="check-now">{{T_BATCH_CHECK_NOW}}</a></p>
<p class="progress"><label for="progress">{{PROGRESS_TEXT}}</label> <progress id="progress" value="{{DONE}}" max="{{TOTAL}}">{{PROGRESS_TEXT}}</progress></p>
</div>{{/RUNNING}}
{{#FOLLOW}}<form method="post" action="{{URL}}" class="follow" id="follow">
<input type="hidden" name="token" value="{{TOKEN}}">
<button type="submit" id="follow-button">{{T_FOLLOW_BUTTON}}</button>
<span class="hint">{{T_FOLLOW_HINT}}</span>
</form>{{/FOLLOW}}
{{#FOLLOWED}}<p class="notice followed" id="followed" role="status">{{TEXT}} <a href="{{LIST_URL}}">{{T_FOLLOW_LIST}}</a></p>{{/FOLLOWED}}
<dl class="facts">
<dt>{{T_BATCH_CUSTOMER}}</dt><dd>{{#CUSTOMER_NAME}}<a href="{{URL}}" class="customer-name" id="customer-name">{{TEXT}}</a> {{/CUSTOMER_NAME}}<code class="copyable" id="customer-id">{{CUSTOMER}}</code></dd>
<dt>{{T_BATCH_STARTED}}</dt><dd id="started">{{#STARTED_AT}}<time datetime="{{ISO}}">{{TEXT}}</time>{{#AGO}} <span class="ago">({{TEXT}})</span>{{/AGO}}{{/STARTED_AT}}{{STARTED}}</dd>
<dt>{{T_BATCH_COMPLETED}}</dt><dd id="completed">{{#COMPLETED_AT}}<time datetime="{{ISO}}">{{TEXT}}</time>{{#AGO}} <span class="ago">({{TEXT}})</span>{{/AGO}}{{/COMPLETED_AT}}{{COMPLETED}}</dd>
{{#DURATION}}<dt>{{LABEL}}</dt><dd id="duration">{{TEXT}}</dd>{{/DURATION}}
<dt>{{T_BATCH_DEVICES}}</dt><dd id="device-total">{{DEVICE_TOTAL}} ({{FAILED_TEXT}})</dd>
</dl>
<ul class="counts" id="counts">
{{#COUNT}}<li><span class="badge {{CLASS}}">{{LABEL}}</span> <strong>{{N}}</strong></li>
{{/COUNT}}
</ul>
{{#CHART}}<figure class="chart" id="chart">
<svg role="img" aria-labelledby="chart-title" viewBox="0 0 {{WIDTH}} {{HEIGHT}}" width="{{WIDTH}}" height="{{HEIGHT}}" xmlns="http://www.w3.org/2000/svg">
<title id="chart-title">{{T_BATCH_CHART_TITLE}}</title>
{{#BAR}}<g class="bar {{CLASS}}"><text x="0" y="{{TY}}">{{LABEL}}</text><rect x="0" y="{{Y}}" width="{{W}}" height="16" rx="3"></rect><text x="{{NX}}" y="{{BY}}" class="n">{{N}}</text></g>
{{/BAR}}</svg>
<figcaption>{{T_BATCH_CHART_TITLE}}</figcaption>
</figure>{{/CHART}}
{{#SKIPPED}}<p class="note">{{TEXT}}</p>{{/SKIPPED}}
{{#FIX}}<section class="fixes" id="what-to-fix" aria-labelledby="fix-title">
<h2 id="fix-title">{{T_BATCH_FIX_TITLE}}</h2>
<div class="table-wrap"><table id="fixes">
<thead><tr><th scope="col">{{T_BATCH_COL_ERROR_CODE}}</th><th scope="col">{{T_BATCH_COL_ERROR}}</th><th scope="col">{{T_BATCH_FIX_DEVICES}}</th><th scope="col">{{T_BATCH_FIX_WHAT}}</th><th scope="col">{{T_BATCH_FIX_EXPORT}}</th></tr></thead>
<tbody>
{{#ROW}}<tr><td class="fix-code" data-label="{{T_BATCH_COL_ERROR_CODE}}">{{CODE}}</td><td class="fix-name" data-label="{{T_BATCH_COL_ERROR}}">{{NAME}}</td><td class="fix-n" data-label="{{T_BATCH_FIX_DEVICES}}">{{N}}</td><td class="fix-what" data-label="{{T_BATCH_FIX_WHAT}}">{{TEXT}}{{#DOC}} <a class="doc" href="{{URL}}" rel="external noopener"{{#NEW_TAB}} target="_blank"{{/NEW_TAB}}>{{T_BATCH_FIX_DOC}}</a>{{/DOC}}</td><td class="fix-csv" data-label="{{T_BATCH_FIX_EXPORT}}">{{#CSV}}<a href="{{URL}}">{{TEXT}}</a>{{/CSV}}</td></tr>
{{/ROW}}</tbody>
</table></div>
<p class="fix-failed"><a href="{{FAILED_CSV_URL}}" id="failed-csv">{{T_BATCH_FIX_FAILED_CSV}}</a></p>
</section>{{/FIX}}
<p class="downloads"><a href="{{CSV_URL}}">{{T_BATCH_DOWNLOAD_CSV}}</a> · <a href="{{JSON_URL}}">{{T_BATCH_JSON}}</a> · <a href="{{SELF_URL}}"{{#SELF_TOP}} target="_top"{{/SELF_TOP}} id="self-link">{{T_BATCH_LINK}}</a></p>
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
{{#DEVICE}}<tr><td class="n" data-label="{{T_BATCH_COL_N}}">{{N}}</td><td class="serial" data-label="{{T_BATCH_COL_SERIAL}}">{{SERIAL}}</td><td class="pkey" data-label="{{T_BATCH_COL_PRODUCT_KEY}}">{{PRODUCT_KEY}}</td><td class="device-id" data-label="{{T_BATCH_COL_DEVICE_ID}}">{{DEVICE_ID}}</td><td class="status" data-label="{{T_BATCH_COL_STATUS}}"><span class="badge {{STATUS_CLASS}}">{{STATUS_LABEL}}</span></td><td class="code" data-label="{{T_BATCH_COL_ERROR_CODE}}">{{ERROR_CODE}}</td><td class="desc" data-label="{{T_BATCH_COL_ERROR}}">{{ERROR_DESCRIPTION}}</td><td class="explanation" data-label="{{T_BATCH_COL_MEANING}}">{{#EXPLANATION}}{{TEXT}}{{/EXPLANATION}}</td></tr>
{{/DEVICE}}
</tbody>
</table>
</div>
{{/HAS_DEVICES}}
</section>
