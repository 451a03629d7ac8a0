{{%AUTOESCAPE context="HTML"}}
{{! One batch: status, times, counts and every device. }}
<section class="batch">
<p class="crumbs"><a href="/">New lookup</a></p>
<h1>Batch <code id="tracking-id">{{TRACKING}}</code></h1>
<p class="status-line"><span id="batch-status" class="badge {{STATUS_CLASS}}">{{STATUS_LABEL}}</span>
{{#RUNNING}}<span class="running-note">Still running: this page reloads itself every 30 seconds.</span>{{/RUNNING}}</p>
<dl class="facts">
<dt>Customer</dt><dd><code id="customer-id">{{CUSTOMER}}</code></dd>
<dt>Started</dt><dd id="started">{{STARTED}}</dd>
<dt>Completed</dt><dd id="completed">{{COMPLETED}}</dd>
{{#DURATION}}<dt>{{LABEL}}</dt><dd id="duration">{{TEXT}}</dd>{{/DURATION}}
<dt>Devices</dt><dd id="device-total">{{DEVICE_TOTAL}} ({{FAILED_TOTAL}} with an error)</dd>
</dl>
<ul class="counts" id="counts">
{{#COUNT}}<li><span class="badge {{CLASS}}">{{LABEL}}</span> <strong>{{N}}</strong></li>
{{/COUNT}}
</ul>
{{#SKIPPED}}<p class="note">{{N}} entries in Partner Center's answer were not devices and are not shown.</p>{{/SKIPPED}}
<p class="downloads"><a href="{{URL}}.csv">Download CSV</a> · <a href="{{URL}}.json">JSON</a> · <a href="{{URL}}">Link to this batch</a></p>
{{#NO_DEVICES}}<p class="empty">Partner Center lists no devices in this batch.</p>{{/NO_DEVICES}}
{{#HAS_DEVICES}}
<div class="table-wrap">
<table id="devices">
<thead><tr><th scope="col">#</th><th scope="col">Serial number</th><th scope="col">Product key</th><th scope="col">Status</th><th scope="col">Error code</th><th scope="col">Error</th><th scope="col">What it means</th></tr></thead>
<tbody>
{{#DEVICE}}<tr><td class="n">{{N}}</td><td class="serial">{{SERIAL}}</td><td class="pkey">{{PRODUCT_KEY}}</td><td><span class="badge {{STATUS_CLASS}}">{{STATUS_LABEL}}</span></td><td class="code">{{ERROR_CODE}}</td><td class="desc">{{ERROR_DESCRIPTION}}</td><td class="explanation">{{#EXPLANATION}}{{TEXT}}{{/EXPLANATION}}</td></tr>
{{/DEVICE}}
</tbody>
</table>
</div>
{{/HAS_DEVICES}}
</section>
