{{%AUTOESCAPE context="HTML"}}
{{! The lookup form; shown again with the values and a message when they are not usable. }}
<section class="lookup">
<h1>Look up a device batch upload</h1>
<p class="lead">Enter the customer ID and the batch tracking ID of a Windows Autopilot device upload, or paste the upload's whole <code>Location</code> value into the tracking field and leave the customer empty.</p>
{{#MESSAGE}}<p class="message error" role="alert" id="form-message">{{TEXT}}</p>
<p class="correlation-small">Correlation ID: <code id="correlation-id">{{CORRELATION_ID}}</code></p>{{/MESSAGE}}
<form method="get" action="/" class="lookup-form">
<label for="customer">Customer ID</label>
<input id="customer" name="customer" type="text" value="{{CUSTOMER}}" placeholder="47021739-3426-40bf-9601-61b4b6d7c793" autocomplete="off" spellcheck="false"{{#CUSTOMER_INVALID}} aria-invalid="true" aria-describedby="form-message" autofocus{{/CUSTOMER_INVALID}}>
<label for="tracking">Batch tracking ID or Location</label>
<input id="tracking" name="tracking" type="text" value="{{TRACKING}}" placeholder="0127ed8e-ff72-4983-a3d8-e8d8bd378932" autocomplete="off" spellcheck="false"{{#TRACKING_INVALID}} aria-invalid="true" aria-describedby="form-message" autofocus{{/TRACKING_INVALID}}>
<p class="hint">Both are GUIDs. The Location looks like <code>/customers/{customer-id}/batchJobStatus/{tracking-id}</code>.</p>
<button type="submit">Show status</button>
</form>
</section>
