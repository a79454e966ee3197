case('d3-qd529-cutout', 'qd529燃气灶台面要挖多大的孔', '100188628470',
     [{'regex': r'(?<![\d.])645(?![\d.])\D{0,16}?(?<![\d.])340(?![\d.])'}], intent='installation', style='code_variant', stage='pre_sale')
case('d3-qd529-power-en', 'What is the heat output of the JZT-QD529 gas hob?', '100188628470',
     [A(unit(5.2, 'kW|KW|千瓦|kilowatt'))], intent='specs', style='english', lang='en')
case('d3-q5s-size-en', 'Q5S 60 litre heater - dimensions please', '100192946480',
     [dims(760, 430, 430)], intent='specs', style='english', lang='en')
case('d3-q5s-warr', '亲肤活水q5s保修几年', '100192946480',
     [yrs(10)], intent='warranty', style='code_variant')
case('d3-j3s-weight', 'F6030J3S 多重 功率多少', '100011323814',
     [kg(21), A(unit(3000, 'W|瓦|watts?'), unit(3, 'kW|千瓦'))], intent='specs', style='multi')
case('d3-ro-size', 'JD3766T-RO 冰魔方多大 多重', '100138589935',
     [dims(282, 380, 400), kg(12.1)], intent='specs', style='multi')
case('d3-fridge-size-en', 'How big is the MR-421WUFPZE fridge? I need width and height.', '100063210422',
     [mm(643), mm(1910)], intent='specs', style='english', lang='en', diff='medium')
case('d3-mk1s-weight', 'mk1s燃气热水器净重多少', '100115538235',
     [kg(11)], intent='specs', style='code_variant')
case('d3-mk1s-e1-en', 'My JSQ27-MK1S shows E1, what should I check?', '100115538235',
     [A('燃气', 'gas')], intent='fault', style='english', lang='en', stage='after_sale')
case('d3-ud3-hose', 'UD3热水器装的时候用的不锈钢波纹管多长', '100112573665',
     [unit(40, 'cm|厘米|centimet')], intent='installation', style='colloquial', stage='in_sale')
case('d3-cb66-warr-f002', '6.6升小厨宝 加热器坏了 免费修吗 保几年', '100039032355',
     [yrs(8)], intent='warranty', style='multi', stage='after_sale')
case('d3-rw7-60-seal', 'f6032-rw7 密封圈多少钱', '100112573615',
     [yuan(5)], intent='installation', style='code_variant', stage='in_sale')
case('d3-mk6-relocate-en', 'If I move house within a year, will you move the JSQ30-MK6 for free?', '100040350131',
     [A(days(365), 'one year', '一年', '1 year', '365')], intent='installation', style='english', lang='en', diff='hard')
case('d3-x6s-hole', '万向X6S Max 橱柜要改孔 多少钱一个孔', '100193498790',
     [yuan(50)], intent='installation', style='plain', stage='in_sale')
case('d3-je4-wall', 'JE4 80升 打混凝土墙多少钱一个点', '100093149967',
     [yuan(30)], intent='installation', style='code_variant', stage='in_sale')
case('d3-12hwa-e0-en', 'JSQ22-12HWA LPG heater error E0, what does it mean?', '100043059478',
     [A('点火', 'ignition', 'ignite')], intent='fault', style='english', lang='en', stage='after_sale')
case('d3-ud5-f003', 'UD5 60升 温度显示不对 F003', '100145632602',
     [A('传感器', 'sensor')], intent='fault', style='plain', stage='after_sale')
case('d3-m10smax-remote', 'M10S Max 我家离服务站80公里 上门费怎么算', '100192762770',
     [A('2/km', '¥2/km', '2元/公里', {'regex': r'¥?\s*2\s*(?:元)?\s*/\s*(?:km|公里)'}), unit(50, 'km|公里')], intent='installation', style='colloquial', stage='in_sale', diff='hard')
case('d3-je6-80-valve-en', 'how much is a copper angle valve for the F8033-JE6?', '100042754740',
     [yuan(34)], intent='installation', style='english', lang='en', stage='in_sale')
case('d3-m9pro-321-board', '100312500321 这台温控板保多久', '100312500321',
     [yrs(3)], intent='warranty', style='product_ids')
case('d3-ak7-price', 'ak7 pro油烟机多少钱', '100188628450',
     [price(2293.99)], intent='price', style='code_variant')
case('d3-udpro80-hole', '80升的UDpro 打孔多少钱一个', '100082976409',
     [yuan(50)], intent='installation', style='plain', stage='in_sale')
case('d3-lasko-f002-en', 'The Lasko fan got noisy (F002). What do I do?', '100069341608',
     [A('叶片', 'blade', '网罩', 'grille', 'guard')], intent='fault', style='english', lang='en', stage='after_sale')
case('d3-hwa12-gift', '12升JSQ22-HWA天然气 送什么', '100002076057',
     [A('花洒', 'shower')], intent='gifts', style='plain')
case('d3-m10max-price', 'M10Max多少钱', '100107985736',
     [price(3089)], intent='price', style='code_variant', forbidden=[no_price(4999), no_price(1951.78)])
# follow-ups
case('d3-fu-je7pro-f001', '加热变慢了，F001', '100138880716',
     [A('水垢', '电压', 'scale', 'voltage')], intent='fault', style='followup', stage='after_sale',
     conv=[('customer', '我用的是阻垢免清洗JE7Pro'), ('agent', '好的小主，请问您想了解这款商品的哪方面呢？')])
case('d3-fu-ln3s-weight-en', 'How heavy is it?', '100140212122',
     [kg(11.5)], intent='specs', style='followup', lang='en',
     conv=[('customer', 'Asking about the LN3S 16L gas heater'), ('agent', 'Sure, what would you like to know about it?')])
case('d3-fu-mate20u-gift', '安装要钱吗', '100121341597',
     [A('免费', '0元')], intent='installation', style='followup', stage='in_sale',
     conv=[('customer', 'MATE20 Ultra零冷水'), ('agent', '好的小主，请问您想了解这款商品的哪方面呢？')])
case('d3-fu-rw9-80-f002', '内胆漏水了怎么办', '100133171244',
     [A('更换内胆', '内胆', '售后')], intent='fault', style='followup', stage='after_sale',
     conv=[('customer', 'F8032-RW9 80升'), ('agent', '好的小主，请问您想了解这款商品的哪方面呢？')])
# unsold
case('d3-unsold-aircon-en', 'Do you sell Midea split air conditioners? How much for 1.5 HP?', None, [], intent='price', style='unsold', lang='en',
     forbidden=[ANY_PRICE, {'regex': r'\$\s*\d'}], answerable='no')
case('d3-unsold-m9s-13', '无冷感M9S Max 13升的多少钱', None, [], intent='price', style='unsold', diff='hard',
     forbidden=[no_price(2009), ANY_PRICE], answerable='no')
# policy
case('d3-pol-return-status', '还没签收能申请退货吗', None,
     [A('签收')], intent='returns', style='plain', stage='after_sale', sources=[POL])
case('d3-pol-cancel-en', 'Order is still pending payment - can I cancel it?', None,
     [A('待付款', '已付款', '处理中', 'pending payment', 'processing', 'paid', 'cancel')], intent='order_change', style='english', lang='en', stage='in_sale', sources=[POL])
case('d3-pol-pricepro-ecard', '价保退的差价退到哪里', None,
     [A('E卡', 'e卡', '差额', '部分退款')], intent='returns', style='plain', stage='after_sale', sources=[POL])
