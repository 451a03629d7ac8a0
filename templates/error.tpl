{{%AUTOESCAPE context="HTML"}}
{{! Every error a user can meet: what happened, what to do, and the ID to quote. }}
<section class="error-page">
<h1>{{TITLE}}</h1>
<p class="message">{{MESSAGE}}</p>
{{#DETAIL}}<p class="detail">{{LABEL}}: <code id="error-detail">{{TEXT}}</code></p>{{/DETAIL}}
{{#RETRY}}<p class="retry" id="retry-after">Try again in {{SECONDS}} s.</p>{{/RETRY}}
{{#BATCH}}<p>Batch <code>{{TRACKING}}</code> of customer <code>{{CUSTOMER}}</code>: <a href="{{URL}}">try again</a>.</p>{{/BATCH}}
<p class="correlation">Correlation ID: <code id="correlation-id">{{CORRELATION_ID}}</code><br><small>Quote it when you report this problem (HTTP {{STATUS}}).</small></p>
<p><a href="/">Back to the form</a></p>
</section>
