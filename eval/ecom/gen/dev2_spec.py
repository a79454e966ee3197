# --- one or more per product, written from products.json fields ---
case('d2-ud3-remote', 'ud3那个扁桶热水器 我家离市区大概50公里 上门装要额外加钱吗', '100112573665',
     [A('1.5元/公里', '1.5元每公里', {'regex': r'1\.5\s*(?:元|yuan|RMB)'}), unit(30, '公里|km|kilomet')], intent='installation', style='colloquial', stage='in_sale')
case('d2-ud3-wall-en', 'My bathroom wall is not load-bearing. What do I need to install the f6033ud3 and what does the wall reinforcement cost?', '100112573665',
     [A('T型', 'T-shaped', 'T-bracket', 'T bracket', 'T-type'), yuan(80)], intent='installation', style='english', stage='in_sale', lang='en', diff='hard')
case('d2-cb66-basefee', '6.6升小厨宝安装费多少？水管不够长怎么算', '100039032355',
     [yuan(100), A('20元', '每米加收20', {'regex': r'(?<![\d.])20\s*(?:元|yuan)'})], intent='installation', style='multi', stage='in_sale')
case('d2-cb66-tee-en', 'how much is one 4-point tee fitting (等径三通) for the 6.6L kitchen heater?', '100039032355',
     [yuan(2)], intent='installation', style='english', stage='in_sale', lang='en')
case('d2-je6-60-size', 'f6033je6 多重？尺寸多大', '100042754736',
     [kg(25), dims(700, 470, 470)], intent='specs', style='code_variant', diff='medium')
case('d2-je6-60-e02', 'JE6 60升的显示e02 水一直不热', '100042754736',
     [A('温控器', 'thermostat')], intent='fault', style='code_variant', stage='after_sale')
case('d2-rw7-80-board', 'F8032-RW7(HE)电源板坏了还在保吗？买了两年', '100112573625',
     [yrs(3)], intent='warranty', style='plain', stage='after_sale')
case('d2-rw7-80-tank', 'rw7八十升的内胆漏水几年内包换', '100112573625',
     [yrs(10)], intent='warranty', style='colloquial', stage='pre_sale')
case('d2-rw7-80-leakprot', '装F8032RW7家里要加装漏保，多少钱一套', '100112573625',
     [yuan(98)], intent='installation', style='code_variant', stage='in_sale')
case('d2-mk6-flue', 'mk6燃气热水器烟管不够长，加长怎么收费', '100040350131',
     [A({'regex': r'30\s*(?:元|yuan)\s*/?\s*(?:每)?\s*0\.5\s*(?:m|米)'}, '30元/0.5'), ], intent='installation', style='colloquial', stage='in_sale')
case('d2-mk6-ign-en', 'How long is the ignition needle covered on the JSQ30MK6?', '100040350131',
     [yrs(3)], intent='warranty', style='english', lang='en')
case('d2-x6s-stairs', '万向x6s max 我家住5楼没电梯，搬运要加钱吗', '100193498790',
     [yuan(20), A('三层', '3层', 'third floor', '3 floors', 'three floors')], intent='installation', style='colloquial', stage='in_sale', diff='hard')
case('d2-x6s-gift', 'X6SMax洗碗机送的净水器怎么领', '100193498790',
     [A('华凌', '1000G'), days(20)], intent='gifts', style='code_variant', stage='after_sale')
case('d2-je4-months', 'F8025JE4 质保多久', '100093149967',
     [A(yrs(8), months(96))], intent='warranty', style='code_variant')
case('d2-je4-tbracket', 'je4 80升 加装T形支架要多少钱？拆旧呢', '100093149967',
     [yuan(100), yuan(80)], intent='installation', style='multi', stage='in_sale')
case('d2-12hwa-lpg-price', '液化气用的12升HWA热水器多少钱', '100043059478',
     [price(1099)], intent='price', style='colloquial', diff='hard', forbidden=[no_price(471)])
case('d2-12hwa-c4', 'jsq22-12hwa 报C4', '100043059478',
     [A('风道', '堵塞', 'blocked', 'blockage'), A({'regex': r'10\s*分钟'}, '10 minutes')], intent='fault', style='code_variant', stage='after_sale')
case('d2-ud5-extwarr', 'UD5 那款送的延保是多送几年？', '100145632602',
     [yrs(2)], intent='gifts', style='colloquial')
case('d2-ud5-marble-en', 'Drilling through marble to mount the F6033-UD5, how much per hole? And concrete?', '100145632602',
     [yuan(80), yuan(30)], intent='installation', style='english', stage='in_sale', lang='en', diff='medium')
case('d2-m10smax-valve', 'm10s max 角阀多少钱一只，装机送几只', '100192762770',
     [yuan(25), A('2只', '两只', '2个', '两个', 'two')], intent='installation', style='multi', stage='in_sale', diff='hard')
case('d2-m10smax-exchanger', '无冷感M10S Max 主热交换器包修几年？整机呢', '100192762770',
     [yrs(8), yrs(3)], intent='warranty', style='multi')
case('d2-je6-80-removal', 'F8033-JE6 80升装的时候拆旧机收多少', '100042754740',
     [yuan(50)], intent='installation', style='plain', stage='in_sale', forbidden=[])
case('d2-je6-80-e004', '80升je6 显示E004', '100042754740',
     [A('传感器', 'sensor')], intent='fault', style='code_variant', stage='after_sale')
case('d2-rw7-60-fan', '买了F6032RW7送的风扇是什么型号，多久能到', '100112573615',
     [A('E-S20', 'ES20'), wdays(20)], intent='gifts', style='multi', stage='after_sale')
case('d2-m9smax-ecard', 'M9SMax送的E卡面值多少 怎么领', '100129027686',
     [yuan(100), A('邮箱', 'email', 'e-mail'), days(20)], intent='gifts', style='multi', stage='after_sale', diff='medium')
case('d2-m9pro-321-valve', '商品100312500321 燃气球阀多少钱一只', '100312500321',
     [yuan(42)], intent='installation', style='product_ids', stage='in_sale')
case('d2-m9max-board', '安睡m9max 显示板坏了保几年', '100065930935',
     [yrs(3)], intent='warranty', style='colloquial', stage='after_sale')
case('d2-hwa12-price', 'jsq22hwa 12升天然气的多少钱', '100002076057',
     [price(471)], intent='price', style='code_variant', forbidden=[no_price(2499), no_price(1099)])
case('d2-hwa20-price-en', 'Price of the 20 litre JSQ22-HWA gas water heater?', '100002047744',
     [price(2499)], intent='price', style='english', lang='en', forbidden=[no_price(471)])
case('d2-hwa20-warr', '20升的JSQ22-HWA 热交换器保几年', '100002047744',
     [yrs(8)], intent='warranty', style='plain')
case('d2-j25s-motor', 'J25S PRO烟灶套装 电机保修几年？玻璃面板呢', '100191942156',
     [yrs(10), yrs(1)], intent='warranty', style='multi')
case('d2-j25s-gift', '烟机灶具套装J25S送的电煮锅多久发货', '100191942156',
     [days(15), A(days(7), '晒单')], intent='gifts', style='plain', stage='after_sale')
case('d2-ak7-size-en', 'What are the dimensions of the AK7 PRO steam-wash range hood?', '100188628450',
     [dims(899, 350, 752)], intent='specs', style='english', lang='en')
case('d2-ak7-motor', 'ak7pro电机保几年', '100188628450',
     [yrs(10)], intent='warranty', style='code_variant')
case('d2-udpro80-tube', '80升UDpro 电加热管保几年 整机呢', '100082976409',
     [yrs(5), yrs(3)], intent='warranty', style='multi')
case('d2-q5s-cord', 'Q5S热水器电源线不够长 加长多少钱一米', '100192946480',
     [yuan(20)], intent='installation', style='plain', stage='in_sale')
case('d2-q5s-gift-en', 'Does the Q5S 60L heater come with any freebie?', '100192946480',
     [A('空气炸锅', 'air fryer', 'airfryer')], intent='gifts', style='english', lang='en')
case('d2-rw9-60-f003', 'F6032RW9 报F003', '100112573619',
     [A('网络', 'network', 'wifi', 'Wi-Fi'), A('远程', 'remote', '美居', 'app', 'APP')], intent='fault', style='code_variant', stage='after_sale')
case('d2-udpros-gift', '美的活水UDproS 买了送啥', '100195837652',
     [A('浴巾', 'towel')], intent='gifts', style='colloquial')
case('d2-udpros-price', 'udpros 60升现在多少钱', '100195837652',
     [price(1911.04)], intent='price', style='code_variant', forbidden=[no_price(2189)])
case('d2-rw9-80-price', 'f8032 rw9 八十升多少钱', '100133171244',
     [price(1088.1)], intent='price', style='code_variant', forbidden=[no_price(1304.8)])
case('d2-rw9-80-weight', 'F8032-RW9(HE)净重多少？挂墙上要注意啥', '100133171244',
     [kg(28)], intent='specs', style='plain')
case('d2-x6max-sets', 'x6max 能放几套碗？尺寸多少', '100134148594',
     [A(unit(16, '套|place settings|sets')), dims(575, 598, 775)], intent='specs', style='multi')
case('d2-x6max-rush', '万向X6Max坏了 想要2小时极速上门 加多少钱', '100134148594',
     [yuan(120)], intent='shipping', style='colloquial', stage='after_sale', diff='hard')
case('d2-ud7pro-fan', 'ud7pro 送的电风扇 啥时候发？', '100131723700',
     [wdays(20)], intent='gifts', style='code_variant', stage='after_sale')
case('d2-udpro60-f004', '60升的UDpro热水器提示F004', '100069341607',
     [A('排水', 'drain')], intent='fault', style='plain', stage='after_sale')
case('d2-udpro60-warr-en', 'how many years warranty on the 60L UDpro twin-tank heater?', '100069341607',
     [yrs(10)], intent='warranty', style='english', lang='en')
case('d2-m9sultra-weight', 'M9S Ultra 重量多少公斤', '100121341607',
     [kg(14.5)], intent='specs', style='plain')
case('d2-m9spro-hole', 'M9SPro 安装要二次打孔多少钱一个孔', '100130009382',
     [yuan(50)], intent='installation', style='code_variant', stage='in_sale')
case('d2-cb5-warr', '7.6升小厨宝 整机保几年，加热管呢', '100065596961',
     [yrs(1), yrs(8)], intent='warranty', style='multi', diff='medium')
case('d2-cb5-gift-en', 'Which gift comes with the F7.6-20CB5 and how soon is it mailed?', '100065596961',
     [A('净水龙头', 'faucet', 'tap'), days(15)], intent='gifts', style='english', lang='en')
case('d2-ln3s-review', 'LN3S送风扇 晒单要怎么晒才算', '100140212122',
     [unit(30, '字|characters|words'), unit(3, '张|photos|pictures|images')], intent='gifts', style='colloquial', stage='after_sale', diff='hard')
case('d2-mk9-blender', 'MK9耀界 送的破壁机值多少钱', '100042045930',
     [yuan(249)], intent='gifts', style='colloquial')
case('d2-ro-membrane', '冰魔方净水器 RO膜保修几年？整机呢', '100138589935',
     [yrs(3), yrs(1)], intent='warranty', style='multi')
case('d2-lasko-price-en', 'How much is the Lasko 16 inch floor fan and how heavy is it?', '100069341608',
     [price(26.97), A(kg(4.5), unit(4.5, '公斤'))], intent='price', style='english', lang='en', diff='medium')
case('d2-lasko-warr', 'lasko落地扇保修多久', '100069341608',
     [yrs(1)], intent='warranty', style='plain')
case('d2-je7pro-warr', 'JE7Pro 活水保几年？内胆呢', '100138880716',
     [yrs(10), yrs(8)], intent='warranty', style='multi')
case('d2-hwapro14-subsidy', '14升的hwa pro 国补最多返多少？旧机回收呢', '100148801459',
     [yuan(50), yuan(30)], intent='gifts', style='multi', diff='hard')
case('d2-hwapro16-e3', '16升HWA Pro 显示E3', '100148801457',
     [A('风压', '烟管', 'flue', 'air pressure')], intent='fault', style='plain', stage='after_sale')
case('d2-hwapro16-price', 'JSQ30-HWAPro多少钱', '100148801457',
     [price(898)], intent='price', style='code_variant', forbidden=[no_price(579)])
case('d2-mate20u-price', 'mate20 ultra 零冷水的多少钱', '100121341597',
     [price(2199)], intent='price', style='code_variant', forbidden=[no_price(1799)])
case('d2-mate20-e2', 'JSQ30-MATE 20 出现E2', '100105746920',
     [A('水压', '进水阀', 'water pressure')], intent='fault', style='plain', stage='after_sale')
case('d2-j3s-f001', 'F6030-J3S 热水器歪了 报F001', '100011323814',
     [A('支架', 'bracket')], intent='fault', style='colloquial', stage='after_sale')
case('d2-m9ultra-gift', '安睡M9Ultra送的空气炸锅，登记后多久能查到发货', '100069220040',
     [wdays(15), wdays(20)], intent='gifts', style='plain', stage='after_sale', diff='hard')
case('d2-ln3-es21', '绿洲LN3 显示E-s21 点不着', '100020946211',
     [A('水压', '气压', '燃气供应', 'gas supply', 'water pressure')], intent='fault', style='plain', stage='after_sale')
case('d2-ln7-flue', 'LN7 Ultra 多要一节烟管多少钱？我在深圳', '100089375033',
     [yuan(29), A('30%', '30 %', '百分之三十')], intent='installation', style='colloquial', stage='in_sale', diff='hard')
case('d2-gx165-kit', 'JSG30GX165 送的辅材包里有什么', '100102472979',
     [A('烟管', 'flue'), A('角阀', 'angle valve'), A('弯头', 'elbow')], intent='gifts', style='code_variant', diff='medium')
case('d2-udmini60-price', 'udmini 60升多少钱', '100064459412',
     [price(1649)], intent='price', style='code_variant', forbidden=[no_price(2199)])
case('d2-udmini80-size', 'F8033UDmini 尺寸 重量', '100082976411',
     [dims(885, 316, 555), kg(28)], intent='specs', style='multi')
case('d2-qd529-ignite', 'qd529燃气灶打不着火 F001', '100188628470',
     [A('电池', 'batter')], intent='fault', style='code_variant', stage='after_sale')
case('d2-m10pro-weight-en', 'What does the M10 Pro gas heater weigh?', '100117762618',
     [kg(17.5)], intent='specs', style='english', lang='en')
case('d2-fridge-warr', '美的421法式冰箱保修多久？重多少', '100063210422',
     [yrs(1), kg(77)], intent='warranty', style='multi')
case('d2-mk1s-price', 'jsq27mk1s多少钱', '100115538235',
     [price(464.78)], intent='price', style='code_variant')
case('d2-m10max-panel', 'M10 Max 面板塑件保修几年？送什么', '100107985736',
     [yrs(2), A('排水管', 'drain')], intent='warranty', style='multi', diff='medium')
case('d2-ambig-m9pro', '安睡M9 Pro 多少钱', None,
     [A(WHICH, {'regex': r'1[,，]?869[\s\S]*1[,，]?675\.42|1[,，]?675\.42[\s\S]*1[,，]?869'})], intent='price', style='ambiguous', diff='hard')
# --- follow-ups: product named only in an earlier turn ---
case('d2-fu-ud5-f002', '现在漏水了 显示F002', '100145632602',
     [A('密封圈', '内胆', 'seal')], intent='fault', style='followup', stage='after_sale',
     conv=[('customer', '我家装的是玲珑UD5 60升'), ('agent', '好的小主，请问您想了解这款商品的哪方面呢？')])
case('d2-fu-mk6-weight', '它多重？', '100040350131',
     [kg(8.5)], intent='specs', style='followup',
     conv=[('customer', '看中了JSQ30-MK6'), ('agent', '好的小主，请问您想了解这款商品的哪方面呢？')])
case('d2-fu-x6max-gift-en', 'Does it come with free installation?', '100134148594',
     [A('安装', 'install')], intent='gifts', style='followup', lang='en',
     conv=[('customer', 'Looking at the Wanxiang X6Max dishwasher'), ('agent', 'Sure, what would you like to know about it?')])
case('d2-fu-cb5-elbow', '90度弯头多少钱一个', '100065596961',
     [yuan(2)], intent='installation', style='followup', stage='in_sale',
     conv=[('customer', '我买的7.6升小厨宝 F7.6-20CB5'), ('agent', '好的小主，请问您想了解这款商品的哪方面呢？')])
case('d2-fu-m9smax-f003', '洗澡时忽冷忽热 显示F003', '100129027686',
     [A('恒温曲线', '水伺服', '重启', 'restart')], intent='fault', style='followup', stage='after_sale',
     conv=[('customer', '我家是无冷感M9S Max'), ('agent', '好的小主，请问您想了解这款商品的哪方面呢？')])
case('d2-fu-ak7-price', '那多少钱', '100188628450',
     [price(2293.99)], intent='price', style='followup',
     conv=[('customer', '蒸汽洗AK7PRO烟机有吗'), ('agent', '有的小主，请问您想了解这款商品的哪方面呢？')])
# --- products the store does not sell ---
case('d2-unsold-washer', '你们家有美的滚筒洗衣机吗 10公斤的多少钱', None, [], intent='price', style='unsold',
     forbidden=[ANY_PRICE], answerable='no')
case('d2-unsold-micro-en', 'Do you have a Midea microwave oven? Price?', None, [], intent='price', style='unsold', lang='en',
     forbidden=[ANY_PRICE, {'regex': r'\$\s*\d'}], answerable='no')
case('d2-unsold-je4-50', 'F5025-JE4 50升的多少钱', None, [], intent='price', style='unsold', diff='hard',
     forbidden=[no_price(879), ANY_PRICE], answerable='no')
case('d2-unsold-m10sultra', 'M10S Ultra 18升多少钱', None, [], intent='price', style='unsold', diff='hard',
     forbidden=[no_price(4999), ANY_PRICE], answerable='no')
# --- policy (agent-policy.md) ---
case('d2-pol-addr-processing', '订单还在处理中，收货地址能改吗', None,
     [A('待付款', '已付款', '处理中', '可以修改', '可修改')], intent='order_change', style='plain', stage='in_sale', sources=[POL])
case('d2-pol-cancel-ecard', '用京东E卡付的款，取消订单钱退哪', None,
     [A('E卡', 'e卡', 'E-card')], intent='order_change', style='colloquial', stage='in_sale', sources=[POL])
case('d2-pol-return-en', 'I already received the heater and want to send it back. Is that allowed?', None,
     [A('签收', 'delivered', 'signed', 'received')], intent='returns', style='english', lang='en', stage='after_sale', sources=[POL])
case('d2-pol-pricepro-late', '买了一个多月了才降价，过了价保期还能申请退差价吗', None,
     [A('差额', '差价'), A('可以', '允许', '能')], intent='returns', style='colloquial', stage='after_sale', diff='hard', sources=[POL])
case('d2-pol-exch-status-en', 'My order is already shipped. Can I still exchange it for another model?', None,
     [A('待付款', '已付款', '处理中', 'pending payment', 'processing', 'paid', 'not yet shipped')], intent='exchangeable', style='english', lang='en', stage='in_sale', sources=[POL])
case('d2-pol-cashback-proof', '晒单返现需要提供什么', None,
     [A('截图', 'screenshot'), A('评论', '评价')], intent='returns', style='plain', stage='after_sale', sources=[POL])
case('d2-pol-phone-shipped', '已经发货了，手机号填错了还能改吗', None,
     [A('待付款', '已付款', '处理中')], intent='order_change', style='colloquial', stage='in_sale', sources=[POL])
case('d2-pol-ecard-buy-en', 'Can I pay for a new order with my JD E-card balance?', None,
     [A('余额', 'balance'), A('已上架', 'on sale', 'listed', 'available')], intent='order_change', style='english', lang='en', diff='hard', sources=[POL])
case('d2-pid-m9pro-gift', '买这台送什么东西？', '100064645330',
     [A('空气炸锅', 'air fryer'), days(20)], intent='gifts', style='product_ids', pids=['100064645330'])
case('d2-pid-mate20-gift-en', 'is installation included for free?', '100105746920',
     [A('安装', 'install')], intent='gifts', style='product_ids', lang='en', pids=['100105746920'])
case('d2-cb66-8yr-en', 'kitchen water heater F6.6-20CB: if the inner tank leaks within the warranty, what happens?', '100039032355',
     [A('更换', '换新', 'replace', 'new unit', 'new machine'), yrs(8)], intent='warranty', style='english', lang='en', diff='medium')
