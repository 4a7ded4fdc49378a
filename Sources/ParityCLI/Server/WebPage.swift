/// The page `GET /` serves: paste a scenario, run, compare or search it, and read the report the
/// CLI would print as HTML, with its charts. Self-contained: no script or style is fetched.
enum WebPage {
    static let example = """
        id: deepseek-v3-decode
        title: DeepSeek-V3 decode on 32 chips under a 50 ms TPOT objective
        model: deepseek-v3
        system:
          chip: h800
          chips: 32
          node: hgx-h800
        workload:
          kind: serving
          input_tokens: 4000
          output_tokens: 1000
          weights_precision: fp8
          tpot_slo_ms: 50
          disaggregated: true
        plan:
          decode:
            chips: 32
        compare:
          systems: [hgx-h800, hgx-b200, cloudmatrix-384]
        """

    static let html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Parity</title>
        <style>
        body{font:14px/1.4 system-ui,sans-serif;margin:0;display:flex;height:100vh}
        #left{width:38%;padding:12px;display:flex;flex-direction:column;gap:8px;border-right:1px solid #ccc}
        textarea{flex:1;font:13px ui-monospace,monospace;white-space:pre}
        #right{flex:1;display:flex;flex-direction:column}
        iframe{flex:1;border:0} #status{padding:6px 12px;color:#555}
        .row{display:flex;gap:6px;flex-wrap:wrap;align-items:center} input{width:14em}
        </style></head><body>
        <div id="left">
        <h2 style="margin:0">Parity</h2>
        <div>Paste a scenario (scenarios/SCHEMA.md) and ask what it would measure.</div>
        <textarea id="scenario" spellcheck="false">\(example)</textarea>
        <div class="row"><button onclick="go('run')">Run</button>
        <button onclick="go('compare')">Compare</button>
        <input id="systems" placeholder="systems, e.g. hgx-h800,cloudmatrix-384">
        <label><input type="checkbox" id="sensitivity" style="width:auto">sensitivity</label></div>
        <div class="row"><button onclick="go('search')">Search plans</button>
        <label><input type="checkbox" id="json" style="width:auto">show JSON</label>
        <a href="/v1/catalog/chips?format=html" target="out">chips</a>
        <a href="/v1/catalog/systems?format=html" target="out">systems</a>
        <a href="/v1/catalog/models?format=html" target="out">models</a></div>
        </div>
        <div id="right"><div id="status">Results appear here.</div><iframe name="out" id="out"></iframe></div>
        <script>
        async function go(kind){
          const json=document.getElementById('json').checked;
          const q=new URLSearchParams({format: json?'json':'html'});
          const systems=document.getElementById('systems').value.trim();
          if(kind==='compare'&&systems) q.set('systems',systems);
          if(kind==='compare'&&document.getElementById('sensitivity').checked) q.set('sensitivity','1');
          const status=document.getElementById('status');
          status.textContent='Working...';
          const t0=performance.now();
          const r=await fetch('/v1/'+kind+'?'+q,{method:'POST',body:document.getElementById('scenario').value});
          const text=await r.text();
          status.textContent=r.ok?(kind+' in '+Math.round(performance.now()-t0)+' ms'):('Error '+r.status+': '+JSON.parse(text).error);
          const frame=document.getElementById('out');
          frame.srcdoc=r.ok?(json?'<pre>'+text.replace(/&/g,'&amp;').replace(/</g,'&lt;')+'</pre>':text):'';
        }
        </script></body></html>
        """
}
