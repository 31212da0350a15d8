import HTTPServer

/// `/dashboard`: a static page that asks for an API key (kept for the browser tab only) and
/// shows the key's tenant's main charts, drawn by the API (`/v1/reports/NAME.svg`). The page
/// holds no data and no build step makes it; its script only calls the API with the key.
enum DashboardPage {
    static func response() -> HTTPResponse {
        PublicPages.page(title: "工单看板", body: body, script: script, style: style)
    }

    static let style = PublicPages.style + """
        main{max-width:60rem}
        .chart svg{width:100%;height:auto}
        .totals{display:flex;gap:1rem;flex-wrap:wrap}.totals div{flex:1;min-width:8rem}
        .totals b{display:block;font-size:1.6rem}
        """

    static let body = """
        <h1>工单看板</h1>
        <form id="login" class="card"><label for="key">API 密钥（只保存在本标签页）</label>
        <input id="key" type="password" autocomplete="off" required><button>查看</button></form>
        <section id="board" hidden>
        <p class="muted" id="range"></p>
        <div class="card totals"><div>新建<b id="created">–</b></div><div>完成<b id="completed">–</b></div><div>取消<b id="cancelled">–</b></div><div>未完成<b id="open">–</b></div></div>
        <div class="card chart" id="by-day"></div>
        <div class="card chart" id="by-channel"></div>
        <div class="card chart" id="by-shop"></div>
        <div class="card chart" id="backlog"></div>
        <p class="error" id="error"></p>
        </section>
        """

    static let script = """
        const $ = id => document.getElementById(id);
        async function get(path, accept) {
          const answer = await fetch(path, {headers: {Authorization: 'Bearer ' + sessionStorage.getItem('pitstop-key'), Accept: accept}});
          if (!answer.ok) { throw new Error((await answer.json()).detail || answer.statusText); }
          return accept === 'application/json' ? answer.json() : answer.text();
        }
        async function chart(id, name, query) {
          const svg = new DOMParser().parseFromString(await get('/v1/reports/' + name + '.svg?' + query, 'image/svg+xml'), 'image/svg+xml');
          $(id).replaceChildren(document.importNode(svg.documentElement, true));
        }
        async function show() {
          $('login').hidden = true; $('board').hidden = false;
          try {
            const report = await get('/v1/reports/orders', 'application/json');
            $('range').textContent = report.from + ' 至 ' + report.to;
            for (const name of ['created', 'completed', 'cancelled']) { $(name).textContent = report.totals[name]; }
            $('open').textContent = (await get('/v1/reports/backlog', 'application/json')).totals.open;
            await Promise.all([chart('by-day', 'orders', 'group_by=day'), chart('by-channel', 'orders', 'group_by=channel'),
                               chart('by-shop', 'orders', 'group_by=shop'), chart('backlog', 'backlog', 'group_by=shop')]);
          } catch (error) {
            $('error').textContent = '无法读取报表：' + error.message;
            sessionStorage.removeItem('pitstop-key'); $('login').hidden = false;
          }
        }
        $('login').addEventListener('submit', event => {
          event.preventDefault(); sessionStorage.setItem('pitstop-key', $('key').value.trim()); show();
        });
        if (sessionStorage.getItem('pitstop-key')) { show(); }
        """
}
