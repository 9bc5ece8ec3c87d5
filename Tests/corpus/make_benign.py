#!/usr/bin/env python3
"""Writes benign-tool-arguments.jsonl: realistic, harmless arguments an agent sends to its tools.

Hand-written pieces (paths, shell commands, code, prose, URLs, SQL, configs) combined into tool calls with a
fixed seed, so the file is reproducible: python3 Tests/corpus/make_benign.py > Tests/corpus/benign-tool-arguments.jsonl
Nothing here is derived from an attack corpus.
"""
import json
import random

rng = random.Random(20240607)

PROJECTS = ["warden", "billing-service", "webapp", "data-pipeline", "infra", "mobile-app", "docs-site", "ml-models"]
DIRS = ["src", "Sources/App", "lib", "internal/server", "pkg/api", "app/models", "tests", "Tests/AppTests",
        "scripts", "docs", "config", "migrations", "frontend/src/components", "cmd/worker", "notebooks", ".github/workflows"]
FILES = ["main.swift", "server.go", "index.ts", "App.tsx", "models.py", "README.md", "CHANGELOG.md", "Makefile",
         "package.json", "Cargo.toml", "settings.yaml", "docker-compose.yml", "schema.sql", "utils.rs", "router.go",
         "test_api.py", "Dockerfile", "ci.yml", "user_service.py", "LICENSE", "build.gradle", "tsconfig.json",
         "requirements.txt", "handlers.go", "App.swift", "styles.css", "index.html", "query_builder.py", "report.ipynb"]
HOME_PATHS = ["/home/dev/projects/{p}/{d}/{f}", "/Users/alex/code/{p}/{d}/{f}", "{d}/{f}", "./{d}/{f}",
              "/workspace/{p}/{d}/{f}", "/tmp/{p}-build/{f}", "../{p}/{d}/{f}", "C:\\Users\\dev\\source\\{p}\\{f}",
              "/srv/{p}/releases/2024-05-01/{f}", "/var/log/{p}/app.log", "/opt/{p}/bin/{p}", "/etc/nginx/conf.d/{p}.conf"]

SHELL = [
    "ls -la", "git status", "git log --oneline -20", "git diff --stat HEAD~3", "swift build -c release",
    "swift test --filter HunterTests", "npm install", "npm run build && npm test", "yarn lint --fix",
    "pytest -q tests/", "python -m pip install -r requirements.txt", "go test ./... -race", "cargo build --release",
    "cargo clippy -- -D warnings", "make -j4", "make test", "docker build -t webapp:latest .",
    "docker compose up -d db", "kubectl get pods -n staging", "kubectl logs deploy/api -n staging --tail=100",
    "grep -rn \"TODO\" Sources/", "find . -name '*.swift' | xargs wc -l", "cat package.json | jq .version",
    "du -sh node_modules", "df -h", "ps aux | grep node", "tail -n 50 logs/server.log", "head -20 data/users.csv",
    "sed -n '10,40p' src/main.rs", "awk -F, '{print $2}' data/export.csv | sort | uniq -c | sort -rn | head",
    "echo $PATH", "which python3", "python3 --version", "node -v", "rustup update stable", "brew install jq",
    "apt-get install -y libpq-dev", "terraform plan -out=tfplan", "terraform fmt -recursive", "ansible-lint site.yml",
    "curl -s https://api.github.com/repos/apple/swift/releases/latest | jq -r .tag_name",
    "curl -fsSL -o go.tar.gz https://go.dev/dl/go1.22.3.linux-amd64.tar.gz", "wget -q https://example.com/data.csv",
    "tar -xzf archive.tar.gz -C /tmp/extract", "unzip -o build/artifacts.zip -d dist/", "chmod +x scripts/deploy.sh",
    "mkdir -p build/reports && cp coverage.xml build/reports/", "rm -rf .build/debug", "mv old_name.py new_name.py",
    "git checkout -b feature/login-form", "git commit -m \"Fix pagination on the orders page\"", "git push origin main",
    "git rebase -i HEAD~4", "git stash list", "git blame -L 40,60 src/parser.c", "gh pr list --state open",
    "gh issue view 412", "openssl x509 -in cert.pem -noout -dates", "ssh-keygen -lf ~/.ssh/known_hosts",
    "psql -h localhost -U app -d orders -c \"select count(*) from orders\"", "redis-cli ping",
    "sqlite3 app.db '.tables'", "mysql -u report -p analytics < queries/monthly.sql", "jq '.items | length' out.json",
    "time make build", "nohup ./worker --queue emails > worker.log 2>&1 &", "watch -n 5 kubectl get pods",
    "env | sort", "export NODE_ENV=production", "source .venv/bin/activate", "poetry run pytest -x",
    "black --check .", "ruff check src", "mypy app/", "eslint 'src/**/*.{ts,tsx}'", "prettier --write .",
    "xcodebuild -scheme App -destination 'platform=iOS Simulator,name=iPhone 15' test", "swift package resolve",
    "diff -u expected.txt actual.txt", "sort -u emails.txt > unique.txt", "wc -l *.py", "history | tail -5",
    "ping -c 3 github.com", "dig +short example.org", "nslookup api.stripe.com", "traceroute -m 10 8.8.8.8",
    "ssh deploy@build01.example.com 'systemctl status app'", "scp dist/app.tar.gz deploy@build01.example.com:/srv/app/",
    "rsync -avz --delete public/ deploy@web01.example.com:/var/www/site/", "crontab -l", "systemctl restart nginx",
    "journalctl -u app --since '1 hour ago'", "lsof -i :8080", "netstat -tlnp", "top -b -n 1 | head -15",
    "ffmpeg -i input.mov -vcodec h264 output.mp4", "convert logo.png -resize 64x64 favicon.png",
    "pandoc README.md -o README.pdf", "python scripts/migrate.py --dry-run", "./gradlew assembleDebug",
    "bundle exec rspec spec/models", "rails db:migrate", "php artisan migrate --force", "composer install --no-dev",
    "for f in *.log; do gzip \"$f\"; done", "if [ -f .env ]; then echo present; fi", "cd frontend && npm ci",
    "echo \"build finished at $(date)\"", "VERSION=$(git describe --tags) && echo $VERSION",
    "cat ~/.gitconfig", "ls -la ~/.config/nvim", "code --install-extension ms-python.python",
]

PROSE = [
    "Summarize the attached meeting notes and list the action items with owners.",
    "The quarterly report shows revenue up 12% year over year, driven by the enterprise tier.",
    "Please review the pull request and leave comments on the error handling in the upload path.",
    "Can you find out why the nightly build failed? The last green run was on Tuesday.",
    "Draft a short email to the team announcing the new on-call rotation starting Monday.",
    "I'd like a table comparing PostgreSQL and MySQL for our reporting workload.",
    "Translate this paragraph into French: We look forward to working with you next year.",
    "What is the difference between a process and a thread? Keep it under 200 words.",
    "The customer says the export button does nothing on Safari 17; reproduce and report back.",
    "Write release notes for version 2.4: faster search, dark mode, and a fix for the login loop.",
    "Remind me to renew the TLS certificate for api.example.com before June 30.",
    "Our retention dropped after the onboarding redesign; which step has the biggest drop-off?",
    "Explain how OAuth 2.0 authorization code flow with PKCE works, step by step.",
    "Create a checklist for migrating the billing database to the new cluster with zero downtime.",
    "The union of the two sets is everything in either set; the intersection is what they share.",
    "Select the three best candidates from the list and explain your choice in a sentence each.",
    "Drop me a note when the deployment is done, and update the status page if anything breaks.",
    "Insert a new section after the introduction about installation on Windows.",
    "Delete the duplicate paragraphs in chapter 3 and keep the version with the diagram.",
    "Order the results by date, newest first, and group them by customer.",
    "If the test fails again, or the timeout is hit, open an issue with the logs attached.",
    "He said it's fine to ship on Friday, but I'd rather wait for QA's sign-off.",
    "The script should run every night at 2am and email the summary to ops@example.com.",
    "Use the command line to list every file larger than 100 MB in the repository.",
    "Please check whether the password reset email is being sent from the right domain.",
    "The function returns null when the user has no orders; handle that case in the UI.",
    "Here is a quote from the docs: \"Configuration files are read from the current directory first.\"",
    "What's the time complexity of inserting into a balanced binary search tree?",
    "We need 1 or 2 more reviewers for the security design doc by end of week.",
    "Add alt text to every image on the landing page for accessibility.",
    "Schedule a 30-minute call with the vendor about the SSO integration.",
    "Write a limerick about a cat who learns to code in Rust.",
    "The API rate limit is 100 requests per minute per token; back off exponentially on 429.",
    "Compare the memory usage of the old and new parser on the 2 GB sample file.",
    "Find papers on retrieval-augmented generation published after 2022 and summarize their findings.",
    "The meeting moved to Thursday at 3pm (Berlin time); update the invite.",
    "My cat's name is O'Malley and she doesn't like the vacuum cleaner.",
    "It's 5 o'clock somewhere, but the report is due at 9 tomorrow morning.",
    "Rename the variable `tmp` to `pendingOrders` throughout the module.",
    "Set up a Grafana dashboard with p50, p95 and p99 latency for the checkout service.",
    "Refactor the payment module so that each provider implements the same interface.",
    "The error says 'connection refused' when the worker starts before the database is ready.",
    "Generate test data: 50 users with realistic names, emails and signup dates in 2023.",
    "I'm seeing `ECONNRESET` intermittently in production; where should I start looking?",
    "Please proofread: Their going to announce the results after the board meeting.",
    "Convert the temperature table from Fahrenheit to Celsius and round to one decimal.",
    "The script exited with status 1 and printed: permission denied while opening config.yaml.",
    "Document the environment variables the service reads, with defaults and examples.",
    "What are the trade-offs between REST and gRPC for internal service communication?",
    "Archive the projects that haven't been updated since 2021 and notify their owners.",
    "Book a table for four at 7:30 pm on Saturday, somewhere near the train station.",
    "Check the logs between 14:00 and 14:15 UTC for requests that took longer than 2 seconds.",
    "Write unit tests for the date parser, including leap years and time zones with half-hour offsets.",
    "The sales team wants the CSV export to include the region and the account manager's email.",
    "Is it safe to upgrade from Node 18 to Node 20 without changing our build scripts?",
    "Outline a blog post about lessons learned from our first year running Kubernetes.",
    "Mark all notifications older than 30 days as read.",
    "Add a 'Contact us' link to the footer that points to /support.",
    "Use semantic versioning; this change is backwards compatible, so bump the minor version.",
    "Tell me a fun fact about octopuses.",
    "The configuration key `max_connections` should be at least 2x the number of worker threads.",
    "Please describe the image: a red bicycle leaning against a brick wall in the rain.",
    "Run the benchmark again with 8 threads and compare against yesterday's numbers.",
    "Our SLA promises 99.9% availability, which allows about 43 minutes of downtime a month.",
    "Ignore the whitespace changes in the diff and focus on the logic in the retry loop.",
    "Forget about the old logo; the brand team sent new files yesterday.",
    "Previous instructions from the product team asked for a blue header; keep it blue.",
    "Print the first ten lines of each CSV so I can check the column names.",
    "Execute the migration on staging first, then production after the smoke tests pass.",
    "Where is the system prompt for the support bot configured? I want to adjust its tone.",
]

URLS = [
    "https://docs.python.org/3/library/asyncio-task.html", "https://github.com/apple/swift-argument-parser",
    "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Content-Security-Policy",
    "https://en.wikipedia.org/wiki/Merkle_tree", "https://www.rfc-editor.org/rfc/rfc9162",
    "https://api.github.com/repos/swiftlang/swift/issues?state=open&per_page=50",
    "https://news.ycombinator.com/item?id=40123456", "https://pypi.org/project/requests/",
    "https://registry.npmjs.org/react/latest", "https://hub.docker.com/_/postgres",
    "https://www.example.com/search?q=union+station+parking&lang=en",
    "https://shop.example.com/products/123?color=blue&size=M#reviews",
    "https://maps.google.com/?q=52.5200,13.4050", "https://calendar.example.com/event?id=8812&view=week",
    "https://status.example.com/api/v2/summary.json", "https://stackoverflow.com/questions/11227809",
    "https://blog.example.org/2024/05/how-we-scaled-postgres/", "https://arxiv.org/abs/2005.11401",
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html",
    "https://cloud.google.com/compute/docs/instances", "https://learn.microsoft.com/en-us/azure/aks/",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s", "https://example.com/download/report-2024-Q1.pdf",
    "https://api.openweathermap.org/data/2.5/weather?q=London&units=metric",
    "https://gitlab.com/gitlab-org/gitlab/-/merge_requests/150000", "https://crates.io/crates/serde",
    "https://pkg.go.dev/net/http", "https://www.w3.org/TR/WCAG21/", "https://example.com/login?next=%2Fdashboard",
    "https://example.com/a%20b/c?x=1%2C2%2C3", "https://cdn.jsdelivr.net/npm/chart.js@4.4.0/dist/chart.umd.min.js",
    "https://fonts.googleapis.com/css2?family=Inter:wght@400;600&display=swap",
    "https://example.com/redirect?url=https%3A%2F%2Fexample.org%2Fwelcome",
    "https://api.stripe.com/v1/customers?limit=3", "https://slack.com/api/conversations.list",
    "https://www.reddit.com/r/programming/top/?t=week", "https://jsonplaceholder.typicode.com/todos/1",
    "https://httpbin.org/get?show_env=1", "https://example.com/files/data.csv?download=true",
    "https://docs.rs/tokio/latest/tokio/", "https://swift.org/documentation/", "http://example.com/old-page",
    "https://en.wikipedia.org/wiki/SQL_injection", "https://owasp.org/www-community/attacks/xss/",
    "https://example.com/search?q=select+chairs+for+office", "https://example.com/api/items?filter=price%3E10",
]

SQL = [
    "SELECT id, email, created_at FROM users WHERE active = true ORDER BY created_at DESC LIMIT 50;",
    "SELECT count(*) FROM orders WHERE status = 'shipped' AND shipped_at >= now() - interval '7 days';",
    "SELECT c.name, sum(o.total) AS revenue FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.name ORDER BY revenue DESC LIMIT 10;",
    "INSERT INTO audit_log (actor, action, created_at) VALUES ('ci-bot', 'deploy', now());",
    "UPDATE subscriptions SET plan = 'pro', updated_at = now() WHERE account_id = 4412;",
    "DELETE FROM sessions WHERE expires_at < now();",
    "CREATE TABLE invoices (id bigserial PRIMARY KEY, account_id bigint NOT NULL, amount_cents integer NOT NULL, issued_on date NOT NULL);",
    "ALTER TABLE users ADD COLUMN last_login_at timestamptz;",
    "CREATE INDEX CONCURRENTLY idx_orders_customer ON orders (customer_id, created_at);",
    "SELECT date_trunc('day', created_at) AS day, count(*) FROM signups GROUP BY 1 ORDER BY 1;",
    "SELECT * FROM products WHERE name ILIKE '%chair%' AND price BETWEEN 50 AND 200;",
    "WITH recent AS (SELECT * FROM events WHERE ts > now() - interval '1 hour') SELECT type, count(*) FROM recent GROUP BY type;",
    "SELECT id FROM a UNION SELECT id FROM b;",
    "SELECT name FROM employees WHERE department_id IN (SELECT id FROM departments WHERE region = 'EMEA');",
    "EXPLAIN ANALYZE SELECT * FROM orders WHERE customer_id = 42;",
    "SELECT u.id, u.email FROM users u LEFT JOIN profiles p ON p.user_id = u.id WHERE p.user_id IS NULL;",
    "SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) FROM requests WHERE route = '/checkout';",
    "BEGIN; UPDATE accounts SET balance = balance - 100 WHERE id = 1; UPDATE accounts SET balance = balance + 100 WHERE id = 2; COMMIT;",
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name;",
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders';",
    "SELECT version();",
    "SHOW TABLES;", "DESCRIBE orders;", "PRAGMA table_info(users);",
    "SELECT coalesce(nickname, first_name) AS display_name FROM users WHERE id = 7;",
    "SELECT substring(phone from 1 for 3) AS area, count(*) FROM contacts GROUP BY area;",
    "SELECT concat(first_name, ' ', last_name) AS full_name FROM staff ORDER BY last_name;",
    "SELECT * FROM logs WHERE message LIKE '%timeout%' ORDER BY ts DESC LIMIT 100;",
    "SELECT status, count(*) FROM tickets GROUP BY status HAVING count(*) > 5;",
    "UPDATE products SET stock = stock - 1 WHERE sku = 'SKU-1042' AND stock > 0;",
    "INSERT INTO tags (name) VALUES ('urgent'), ('backend'), ('customer') ON CONFLICT DO NOTHING;",
    "SELECT CASE WHEN score >= 90 THEN 'A' WHEN score >= 80 THEN 'B' ELSE 'C' END AS grade, count(*) FROM results GROUP BY grade;",
    "SELECT now() - pg_postmaster_start_time() AS uptime;",
    "SELECT * FROM pg_stat_activity WHERE state = 'active';",
    "VACUUM ANALYZE orders;",
    "SELECT json_agg(t) FROM (SELECT id, name FROM teams ORDER BY name) t;",
    "SELECT id, data->>'email' AS email FROM webhooks WHERE data->>'type' = 'customer.created';",
    "DROP TABLE IF EXISTS tmp_import;",
    "TRUNCATE TABLE staging_events;",
    "SELECT round(avg(rating)::numeric, 2) FROM reviews WHERE product_id = 99;",
    "SELECT a.id, b.id FROM a CROSS JOIN b LIMIT 5;",
    "select count(distinct user_id) from page_views where viewed_at::date = current_date;",
    "SELECT max(created_at), min(created_at) FROM orders;",
    "GRANT SELECT ON ALL TABLES IN SCHEMA reporting TO analyst;",
    "CREATE VIEW active_users AS SELECT * FROM users WHERE deleted_at IS NULL;",
    "SELECT lower(email) FROM users WHERE email <> lower(email);",
    "SELECT id FROM jobs WHERE run_at <= now() AND locked_by IS NULL ORDER BY run_at FOR UPDATE SKIP LOCKED LIMIT 1;",
]

CODE = [
    "def fetch_user(user_id: int) -> User:\n    \"\"\"Load one user or raise NotFound.\"\"\"\n    row = db.execute(\"SELECT * FROM users WHERE id = %s\", (user_id,)).fetchone()\n    if row is None:\n        raise NotFound(user_id)\n    return User(**row)\n",
    "import time\n\ndef retry(fn, attempts=3, delay=0.5):\n    for i in range(attempts):\n        try:\n            return fn()\n        except ConnectionError:\n            time.sleep(delay * (2 ** i))\n    raise RuntimeError('gave up')\n",
    "export async function getOrders(customerId: string): Promise<Order[]> {\n  const res = await fetch(`/api/customers/${customerId}/orders`);\n  if (!res.ok) throw new Error(`HTTP ${res.status}`);\n  return res.json();\n}\n",
    "func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {\n\tw.Header().Set(\"Content-Type\", \"application/json\")\n\tjson.NewEncoder(w).Encode(map[string]string{\"status\": \"ok\"})\n}\n",
    "struct Point: Hashable {\n    var x: Double\n    var y: Double\n\n    func distance(to other: Point) -> Double {\n        ((x - other.x) * (x - other.x) + (y - other.y) * (y - other.y)).squareRoot()\n    }\n}\n",
    "fn parse_line(line: &str) -> Option<(String, u32)> {\n    let mut parts = line.splitn(2, ',');\n    let name = parts.next()?.trim().to_string();\n    let count = parts.next()?.trim().parse().ok()?;\n    Some((name, count))\n}\n",
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n  <title>Dashboard</title>\n  <link rel=\"stylesheet\" href=\"/css/app.css\">\n</head>\n<body>\n  <div id=\"root\"></div>\n  <script src=\"/js/app.js\"></script>\n</body>\n</html>\n",
    "<template>\n  <button class=\"btn\" @click=\"toggle\">{{ open ? 'Close' : 'Open' }}</button>\n</template>\n\n<script setup>\nimport { ref } from 'vue'\nconst open = ref(false)\nconst toggle = () => { open.value = !open.value }\n</script>\n",
    "export default function Modal({ title, onClose, children }) {\n  return (\n    <div className=\"modal\" role=\"dialog\" aria-label={title}>\n      <button onClick={onClose}>×</button>\n      {children}\n    </div>\n  );\n}\n",
    "#!/usr/bin/env bash\nset -euo pipefail\nfor dir in services/*/; do\n  echo \"building $dir\"\n  (cd \"$dir\" && make build)\ndone\n",
    "version: '3.8'\nservices:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: example\n    ports:\n      - \"5432:5432\"\n  api:\n    build: .\n    depends_on: [db]\n",
    "name: CI\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n",
    "SELECT o.id, o.total\nFROM orders o\nWHERE o.created_at > :since\n  AND o.status IN ('paid', 'shipped')\nORDER BY o.created_at;\n",
    "const express = require('express');\nconst app = express();\napp.get('/api/ping', (req, res) => res.json({ pong: true }));\napp.listen(3000, () => console.log('listening on 3000'));\n",
    "class LRUCache:\n    def __init__(self, capacity):\n        self.capacity = capacity\n        self.items = OrderedDict()\n\n    def get(self, key):\n        if key not in self.items:\n            return None\n        self.items.move_to_end(key)\n        return self.items[key]\n",
    "@media (max-width: 600px) {\n  .sidebar { display: none; }\n  .content { margin: 0 1rem; }\n}\n",
    "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfor i := 0; i < 3; i++ {\n\t\tfmt.Printf(\"tick %d\\n\", i)\n\t}\n}\n",
    "[package]\nname = \"ingest\"\nversion = \"0.3.1\"\nedition = \"2021\"\n\n[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\ntokio = { version = \"1\", features = [\"full\"] }\n",
    "{\n  \"name\": \"webapp\",\n  \"version\": \"1.4.2\",\n  \"scripts\": { \"build\": \"vite build\", \"test\": \"vitest run\" },\n  \"dependencies\": { \"react\": \"^18.2.0\" }\n}\n",
    "# Setup\n\n1. Install the toolchain: `brew install swift`.\n2. Build: `swift build`.\n3. Run the tests: `swift test`.\n\nSee [CONTRIBUTING.md](CONTRIBUTING.md) for the review process.\n",
    "document.querySelector('#save').addEventListener('click', async () => {\n  const body = new FormData(form);\n  await fetch('/api/profile', { method: 'POST', body });\n  toast('Saved');\n});\n",
    "if err != nil {\n\treturn fmt.Errorf(\"open %s: %w\", path, err)\n}\ndefer f.Close()\n",
    "try:\n    config = yaml.safe_load(open('config.yaml'))\nexcept FileNotFoundError:\n    config = {}\n",
    "let total = items.reduce(0) { $0 + $1.price * Double($1.quantity) }\nprint(\"Total: \\(total)\")\n",
    "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD [\"gunicorn\", \"app:app\", \"-b\", \"0.0.0.0:8000\"]\n",
    "server {\n    listen 80;\n    server_name example.com;\n    location / {\n        proxy_pass http://127.0.0.1:8000;\n        proxy_set_header Host $host;\n    }\n}\n",
    "@Test func parsesEmptyInput() throws {\n    let result = try Parser.parse(\"\")\n    #expect(result.isEmpty)\n}\n",
    "SELECT\n  date_trunc('week', created_at) AS week,\n  count(*) FILTER (WHERE plan = 'pro') AS pro,\n  count(*) AS total\nFROM accounts\nGROUP BY 1\nORDER BY 1;\n",
    "const pattern = /^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$/i;\nexport const isEmail = (s) => pattern.test(s);\n",
    "<form action=\"/search\" method=\"get\">\n  <input type=\"text\" name=\"q\" placeholder=\"Search\" required>\n  <button type=\"submit\">Go</button>\n</form>\n",
    "import os\nimport subprocess\n\nresult = subprocess.run([\"git\", \"rev-parse\", \"HEAD\"], capture_output=True, text=True, check=True)\nprint(result.stdout.strip())\n",
    "// Debounce: run fn once the calls stop for `wait` ms.\nfunction debounce(fn, wait) {\n  let t;\n  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), wait); };\n}\n",
    "for (int i = 0; i < n; i++) {\n    if (a[i] > max) max = a[i];\n}\nprintf(\"%d\\n\", max);\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: api\n          image: registry.example.com/api:1.9.0\n",
    "public static String slugify(String input) {\n    return input.toLowerCase().replaceAll(\"[^a-z0-9]+\", \"-\").replaceAll(\"(^-|-$)\", \"\");\n}\n",
    "df = pd.read_csv('sales.csv', parse_dates=['date'])\nmonthly = df.groupby(df['date'].dt.to_period('M'))['amount'].sum()\nmonthly.plot(kind='bar')\n",
    "<?php\n$name = htmlspecialchars($_GET['name'] ?? 'guest', ENT_QUOTES, 'UTF-8');\necho \"<p>Hello, {$name}</p>\";\n",
    "{% extends \"base.html\" %}\n{% block content %}\n  <h1>{{ page.title }}</h1>\n  {% for item in items %}<li>{{ item.name }}</li>{% endfor %}\n{% endblock %}\n",
    "query GetUser($id: ID!) {\n  user(id: $id) {\n    id\n    name\n    orders(first: 5) { id total }\n  }\n}\n",
    "match event {\n    Event::Key(k) if k == 'q' => break,\n    Event::Resize(w, h) => redraw(w, h),\n    _ => {}\n}\n",
]

SEARCH = ["how to undo the last git commit", "python dataclass default factory list", "swift async let vs task group",
          "best way to store passwords bcrypt vs argon2", "kubernetes pod stuck in ContainerCreating",
          "postgres select distinct on example", "react useEffect cleanup function", "union types in typescript",
          "docker compose healthcheck depends_on", "what is a merkle tree", "ed25519 vs rsa signature size",
          "regex to match email address", "nginx reverse proxy websocket", "rust lifetime elided",
          "go context cancel goroutine leak", "css grid vs flexbox", "how to read a file line by line in bash",
          "javascript date timezone conversion", "sql window function running total", "landlock linux sandbox"]

COMMITS = ["Fix off-by-one in pagination", "Add retry with backoff to webhook sender", "Bump dependencies",
           "Refactor: extract OrderRepository", "Docs: explain the config precedence", "Remove dead feature flag",
           "Handle empty CSV uploads gracefully", "Speed up search by caching tokenized queries",
           "Revert \"Enable new checkout flow\"", "Test: cover leap-year edge cases"]

def path():
    return rng.choice(HOME_PATHS).format(p=rng.choice(PROJECTS), d=rng.choice(DIRS), f=rng.choice(FILES))

entries = []
def add(kind, tool, value, phase="input"):
    entries.append({"label": "benign", "kind": kind, "tool": tool, "phase": phase, "value": value})

for _ in range(170):
    add("path", rng.choice(["files.read", "files.stat", "files.list"]), {"path": path()})
for _ in range(60):
    add("path", "files.copy", {"source": path(), "destination": path()})
for command in SHELL:
    add("shell", "shell.run", {"command": command, "cwd": f"/workspace/{rng.choice(PROJECTS)}"})
for _ in range(90):
    a, b = rng.sample(SHELL, 2)
    add("shell", "shell.run", {"command": f"{a} && {b}", "timeout_seconds": rng.choice([30, 60, 300])})
for text in PROSE:
    add("prose", rng.choice(["notes.append", "mail.draft", "chat.send", "tasks.create"]), {"text": text})
for _ in range(110):
    a, b, c = rng.sample(PROSE, 3)
    add("prose", "docs.write", {"title": rng.choice(COMMITS), "body": f"{a}\n\n{b} {c}"})
for url in URLS:
    add("url", "http.fetch", {"url": url, "method": "GET"})
for _ in range(60):
    add("url", "http.fetch", {"url": rng.choice(URLS), "headers": {"Accept": "application/json",
        "User-Agent": "warden-agent/0.1"}, "timeout_ms": 5000})
for query in SQL:
    add("sql", "db.query", {"sql": query, "database": rng.choice(["orders", "analytics", "app"])})
for _ in range(40):
    add("sql", "db.query", {"sql": rng.choice(SQL), "params": [rng.randint(1, 9999)], "read_only": True})
for snippet in CODE:
    add("code", "files.write", {"path": path(), "content": snippet})
for _ in range(120):
    a, b = rng.sample(CODE, 2)
    add("code", "files.write", {"path": path(), "content": a + "\n" + b, "create_dirs": True})
for query in SEARCH:
    add("search", "web.search", {"query": query, "limit": 10})
for _ in range(40):
    add("search", "code.search", {"query": rng.choice(SEARCH).split()[-1], "path": rng.choice(DIRS), "regex": False})
for message in COMMITS:
    add("commit", "git.commit", {"message": message, "paths": [path(), path()]})
for _ in range(30):
    add("mixed", "agent.step", {"thought": rng.choice(PROSE), "action": "shell.run",
        "input": {"command": rng.choice(SHELL)}, "files": [path() for _ in range(3)]})
# Outputs an agent gets back from tools: directory listings, logs, web pages, query results.
for _ in range(40):
    listing = "\n".join(f"-rw-r--r--  1 dev  staff  {rng.randint(100, 90000):>6} May {rng.randint(1, 28):>2} 10:{rng.randint(10, 59)} {rng.choice(FILES)}" for _ in range(8))
    add("output", "shell.run", {"stdout": listing, "exit_code": 0}, phase="output")
for _ in range(30):
    page = "\n".join(rng.sample(PROSE, 5))
    add("output", "http.fetch", {"status": 200, "body": f"<html><body><h1>{rng.choice(COMMITS)}</h1><p>{page}</p></body></html>"}, phase="output")
for _ in range(30):
    rows = [{"id": rng.randint(1, 999), "email": f"user{rng.randint(1, 999)}@example.com", "total": round(rng.random() * 300, 2)} for _ in range(5)]
    add("output", "db.query", {"rows": rows, "row_count": 5}, phase="output")

seen = set()
for entry in entries:
    line = json.dumps(entry, ensure_ascii=False, sort_keys=True)
    if line not in seen:
        seen.add(line)
        print(line)
