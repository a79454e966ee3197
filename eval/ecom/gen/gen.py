"""Generates eval/ecom/golden.dev2.yaml from a hand-written spec (facts read from the sheets)."""
import sys, yaml, json

CN = {1: '一', 2: '两|二', 3: '三', 5: '五', 6: '六', 8: '八', 10: '十', 15: '十五', 20: '二十', 7: '七', 4: '四'}
EN = {1: 'one', 2: 'two', 3: 'three', 5: 'five', 6: 'six', 8: 'eight', 10: 'ten', 15: 'fifteen', 20: 'twenty', 7: 'seven', 4: 'four'}

def _num(n):
    alts = [rf'(?<![\d.]){n}(\.0{{1,2}})?']
    if n in CN: alts.append(rf'(?<![\d一二三四五六七八九十])(?:{CN[n]})')
    if n in EN: alts.append(rf'(?i:\b{EN[n]})')
    return '(?:' + '|'.join(alts) + ')'

def yrs(n): return {'regex': _num(n) + r'\s*(?:个)?\s*(?:年|[- ]?years?)'}
def days(n): return {'regex': _num(n) + r'\s*(?:个)?\s*(?:天|日|[- ]?days?)(?!内胆)'}
def wdays(n): return {'regex': _num(n) + r'\s*(?:个)?\s*(?:工作日|[- ]?(?:working|business) days?)'}
def hours(n): return {'regex': _num(n) + r'\s*(?:个)?\s*(?:小时|h(?![a-zA-Z])|[- ]?hours?)'}
def months(n): return {'regex': _num(n) + r'\s*(?:个)?\s*(?:月|[- ]?months?)'}

def _amt(v):
    s = str(v)
    if '.' in s:
        a, b = s.split('.')
        return rf'(?<![\d.]){a}\.{b}0?(?![\d.])'
    if len(s) == 4:
        return rf'(?<![\d.]){s[0]}[,，\s]?{s[1:]}(\.0{{1,2}})?(?![\d.])'
    return rf'(?<![\d.]){s}(\.0{{1,2}})?(?![\d.])'

def price(v):
    s = str(v)
    return {'any': [f'{s}元', f'¥{s}', {'regex': _amt(v)}]}

def yuan(v):
    s = str(v).replace('.', r'\.')
    return {'regex': rf'(?<![\d.]){s}(\.0{{1,2}})?\s*(?:元|块|yuan|RMB|CNY)|[¥￥]\s*{s}(\.0{{1,2}})?(?![\d.])|(?:RMB|CNY)\s*{s}(\.0{{1,2}})?(?![\d.])'}

def kg(v):
    s = str(v).replace('.', r'\.')
    return {'regex': rf'(?<![\d.]){s}\s*(?:kg|KG|千克|公斤|(?i:kilograms?))'}

def mm(v): return {'regex': rf'(?<![\d.]){v}\s*(?:mm|毫米|(?i:millimet(?:re|er)s?))'}
def dims(a, b, c): return {'regex': rf'(?<![\d.]){a}(?![\d.])\D{{0,16}}?(?<![\d.]){b}(?![\d.])\D{{0,16}}?(?<![\d.]){c}(?![\d.])'}
def unit(v, pat):
    s = str(v).replace('.', r'\.')
    return {'regex': rf'(?<![\d.]){s}\s*(?:{pat})'}
def no_price(v): return {'regex': _amt(v)}
ANY_PRICE = {'regex': r'[¥￥]\s*\d{2,5}|(?<![\d.])\d{3,5}(?:\.\d{1,2})?\s*元'}
WHICH = {'regex': r'哪(?:一|个)?(?:款|个|种|台|型)|什么型号|具体型号|确认.{0,6}型号|型号.{0,6}确认|(?i:which (?:model|one|version)|model number|confirm the model)'}
def A(*xs): return {'any': list(xs)}
POL = 'agent-policy.md'

cases = []
def case(id, msg, prod=None, facts=(), intent='specs', style='plain', stage='pre_sale', lang='zh', diff='medium',
         forbidden=(), conv=None, pids=None, context=None, answerable=None, sources=None):
    c = {'id': id, 'message': msg}
    if conv:
        c['conversation'] = [{'role': r, 'text': t} for r, t in conv]
    if pids: c['product_ids'] = pids
    if context: c['context'] = context
    e = {}
    if sources: e['sources'] = sources
    if prod: e['products'] = [prod]
    if facts: e['facts'] = list(facts)
    if forbidden: e['forbidden'] = list(forbidden)
    c['expect'] = e
    tags = {'intent': intent, 'style': style, 'stage': stage, 'language': lang, 'difficulty': diff}
    if answerable: tags['answerable'] = answerable
    c['tags'] = tags
    cases.append(c)

exec(open(sys.argv[1]).read())

class D(yaml.SafeDumper): pass
def flow_dict(dumper, data):
    flow = all(not isinstance(v, (dict, list)) or (isinstance(v, list) and all(not isinstance(x, dict) or 'regex' in x for x in v)) for v in data.values()) and ('regex' in data or 'any' in data or 'role' in data or 'intent' in data)
    return dumper.represent_mapping('tag:yaml.org,2002:map', data, flow_style=flow)
D.add_representer(dict, flow_dict)
doc = {'version': 1, 'description': sys.argv[3], 'defaults': {'verdict': ['pass', 'warn']}, 'cases': cases}
hdr = open(sys.argv[2]).read()
ids = [c['id'] for c in cases]; assert len(ids) == len(set(ids)), 'dup ids'
out = hdr + yaml.dump(doc, Dumper=D, allow_unicode=True, sort_keys=False, width=200)
sys.stdout.write(out)
print(len(cases), file=sys.stderr)
